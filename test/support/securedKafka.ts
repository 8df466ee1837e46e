import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { Kafka, logLevel } from "kafkajs"
import { freePortPair } from "../../src/dev/ports.ts"

const run = promisify(execFile)
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")

export interface ScramUser {
  readonly username: string
  readonly password: string
}

export interface SecuredKafka {
  readonly brokers: string
  /** The super user, for setting up topics and ACLs. */
  readonly admin: ScramUser
  /** A user with SCRAM credentials and no ACL. */
  readonly user: ScramUser
  /** A kafkajs client of the broker as `user`. */
  readonly clientAs: (user: ScramUser) => Kafka
  readonly stop: () => Promise<void>
}

/**
 * A broker of its own with authorization on, as a production cluster has it: KRaft's StandardAuthorizer, one
 * SASL_PLAINTEXT listener with SCRAM-SHA-512, a super user and a user without ACLs (`scripts/kafka-local` with
 * KAFKA_SCRAM_USERS). Beside the shared test broker, on a free port, its state in a temp dir.
 */
export const startSecuredKafka = async (username = "connector"): Promise<SecuredKafka> => {
  const port = await freePortPair()
  const home = mkdtempSync(join(tmpdir(), "siem-connector-kafka-secured-"))
  const admin = { username: "admin", password: randomBytes(12).toString("hex") }
  const user = { username, password: randomBytes(12).toString("hex") }
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_LOCAL_HOME: home,
    KAFKA_HEAP: "384m",
    KAFKA_SCRAM_USERS: `${admin.username}:${admin.password} ${user.username}:${user.password}`,
  }
  try {
    await run("bash", [script, "start"], { env, timeout: 300_000 })
  } catch (cause) {
    rmSync(home, { recursive: true, force: true })
    throw new Error(`could not start the secured broker: ${(cause as { stderr?: string }).stderr ?? cause}`)
  }
  const brokers = `127.0.0.1:${port}`
  return {
    brokers,
    admin,
    user,
    clientAs: (as) =>
      new Kafka({
        clientId: "secured-test",
        brokers: [brokers],
        sasl: { mechanism: "scram-sha-512", username: as.username, password: as.password },
        logLevel: logLevel.NOTHING,
      }),
    stop: async () => {
      await run("bash", [script, "stop"], { env }).catch(() => undefined)
      rmSync(home, { recursive: true, force: true })
    },
  }
}
