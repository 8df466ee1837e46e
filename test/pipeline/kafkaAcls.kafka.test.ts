import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect, Exit, Layer, Scope } from "effect"
import kafkajs, { type Admin } from "kafkajs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { checkKafkaAcls } from "../../src/pipeline/KafkaAdmin.ts"
import { KafkaClient } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { kafkaAdmin } from "../../src/pipeline/kafkajs/kafkaAdmin.ts"
import {
  AclsMissing,
  operationCodes,
  type RequiredAcl,
  requiredAcls,
} from "../../src/pipeline/requiredAcls.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startCommand } from "../support/connectorCommand.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"
import { type SecuredKafka, startSecuredKafka } from "../support/securedKafka.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"
import { uniqueTopics } from "../support/topics.ts"

const { AclResourceTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs

/**
 * Least privilege against a broker with authorization on (StandardAuthorizer, SASL/SCRAM): the connector's
 * user holds exactly the ACLs `requiredAcls` lists, granted as docs/configuration.md says; the start-time check passes
 * and `run` publishes with them alone; without any one of them the check refuses, naming that one.
 */
let secured: SecuredKafka
let admin: Admin
const dir = mkdtempSync(join(tmpdir(), "connector-acl-test-"))
const scope = Effect.runSync(Scope.make())
const topics = uniqueTopics()
const prefix = `acl-${randomUUID().slice(0, 8)}`

const kafkaConfig = (overrides: Partial<ConnectorConfig["kafka"]> = {}): ConnectorConfig["kafka"] => ({
  ...defaultKafkaSettings,
  topics,
  partitions: 1,
  transactional_id_prefix: prefix,
  group_id_prefix: prefix,
  sasl: { mechanism: "scram-sha-512", username: secured.user.username, password: secured.user.password },
  ...overrides,
})

const check = (config: ConnectorConfig["kafka"]) =>
  Effect.runPromiseExit(
    checkKafkaAcls(config).pipe(
      Effect.provide(Layer.provide(kafkaAdmin, KafkaClient.layer(config, [secured.brokers]))),
    ),
  )

const aclEntry = (acl: RequiredAcl) => ({
  resourceType:
    acl.resourceType === "topic"
      ? AclResourceTypes.TOPIC
      : acl.resourceType === "group"
        ? AclResourceTypes.GROUP
        : AclResourceTypes.TRANSACTIONAL_ID,
  resourceName: acl.name,
  resourcePatternType:
    acl.pattern === "prefixed" ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  principal: `User:${secured.user.username}`,
  host: "*",
  operation: operationCodes[acl.operation],
  permissionType: AclPermissionTypes.ALLOW,
})

/** How many ACLs the broker's authorizer holds for the user: changes are applied once it answers them. */
const aclCount = async () => {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal: `User:${secured.user.username}`,
    host: "*",
    operation: kafkajs.AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  })
  return resources.reduce((n, resource) => n + resource.acls.length, 0)
}

const untilAclCount = async (expected: number) => {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await aclCount()) === expected) return
    await new Promise((wait) => setTimeout(wait, 50))
  }
  throw new Error(`the broker never held ${expected} ACLs for the user (holds ${await aclCount()})`)
}

const grant = async (acls: ReadonlyArray<RequiredAcl>) => {
  const before = await aclCount()
  await admin.createAcls({ acl: acls.map(aclEntry) })
  await untilAclCount(before + acls.length)
}

const revoke = async (acl: RequiredAcl) => {
  const before = await aclCount()
  await admin.deleteAcls({ filters: [aclEntry(acl)] })
  await untilAclCount(before - 1)
}

/** The config's kafka section for a spawned `run`: the user's password from the environment. */
const runKafkaSection = () => ({
  brokers: [secured.brokers],
  topics,
  partitions: 1,
  transactional_id_prefix: prefix,
  group_id_prefix: prefix,
  sasl: { mechanism: "scram-sha-512", username: secured.user.username, password: `\${KAFKA_SASL_PASSWORD}` },
})

const runEnv = () => ({
  KAFKA_SASL_PASSWORD: secured.user.password,
  // The runner's own KAFKA_BROKERS would override the config's.
  KAFKA_BROKERS: secured.brokers,
})

const describeAcl = (acl: RequiredAcl) => `${acl.operation} on ${acl.resourceType} ${acl.name}`

/** Every ACL the config needs while its topics do not exist yet: Create on each besides. */
let everyAcl: ReadonlyArray<RequiredAcl> = []

beforeAll(async () => {
  secured = await startSecuredKafka()
  admin = secured.clientAs(secured.admin).admin()
  await admin.connect()
  everyAcl = requiredAcls(kafkaConfig(), new Set(Object.values(topics)))
}, 300_000)

afterAll(async () => {
  await admin?.disconnect()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await secured?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe("Kafka ACLs checked at start, on a broker with authorization on", () => {
  it("a user without any ACL is refused, every missing ACL named with its config key and grant", async () => {
    const exit = await check(kafkaConfig())
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? (exit.cause as { error?: unknown }).error : undefined
    expect(error).toBeInstanceOf(AclsMissing)
    const missing = (error as AclsMissing).missing.map(describeAcl)
    // Without Describe the broker does not say whether a topic exists: Create is asked for once it does.
    expect(missing.sort()).toEqual(
      everyAcl
        .filter((acl) => acl.operation !== "Create")
        .map(describeAcl)
        .sort(),
    )
    const message = (error as AclsMissing).message
    expect(message).toContain("refusing to start")
    expect(message).toContain(
      `Write on topic ${topics.activities}, from kafka.topics.activities: records are published to it`,
    )
    expect(message).toContain(
      `kafka-acls.sh --add --allow-principal User:<connector> --operation Write --transactional-id ${prefix} --resource-pattern-type prefixed`,
    )
    expect(message).not.toContain(secured.user.password)
  }, 60_000)

  it("with every listed ACL and no other, the check passes and `run` publishes an Okta account's history", async () => {
    await grant(everyAcl)
    const exit = await check(kafkaConfig())
    expect(exit._tag, JSON.stringify(exit)).toBe("Success")

    const okta = await Effect.runPromise(
      Scope.extend(startOktaSimulator({ seed: 5, historySize: 25, rateLimit: 100_000 }), scope),
    )
    const id = randomUUID()
    const config = writeConfig(dir, "run", [{ ...simulatedAccount(okta, id), start_from: "earliest" }], {
      kafka: runKafkaSection(),
      poll: { interval: "1s", page_size: 10 },
    })
    const run = startCommand(["run", "--config", config], runEnv())
    try {
      const published = await readCommitted(topics.activities, okta.events().length, 90_000).catch(
        (error) => {
          throw new Error(
            `${error}\nstdout:\n${run.output.stdout.slice(-4_000)}\nstderr:\n${run.output.stderr}`,
          )
        },
      )
      expect(published.filter((key) => key === id).length).toBe(okta.events().length)
      // Each checkpoint read deleted its throw-away group: Delete was enough.
      const { groups } = await admin.listGroups()
      expect(groups.filter((g) => g.groupId.startsWith(`${prefix}.checkpoint-reader.`))).toEqual([])
    } finally {
      run.child.kill("SIGTERM")
      const ended = await run.ended(30_000)
      expect(ended.stderr).not.toContain("refusing")
    }
  }, 180_000)

  // The topics exist now (the run above created them): Create is no longer needed.
  const needed = () => everyAcl.filter((acl) => acl.operation !== "Create")
  it.each(
    requiredAcls(
      { ...defaultKafkaSettings, topics, transactional_id_prefix: prefix, group_id_prefix: prefix },
      new Set(),
    ).map((acl) => [describeAcl(acl), acl] as const),
  )(
    "without %s alone, the check refuses naming that one",
    async (_, acl) => {
      expect(needed().map(describeAcl)).toContain(describeAcl(acl))
      await revoke(acl)
      try {
        const exit = await check(kafkaConfig())
        const error = Exit.isFailure(exit) ? (exit.cause as { error?: unknown }).error : exit
        expect(error).toBeInstanceOf(AclsMissing)
        expect((error as AclsMissing).missing.map(describeAcl)).toEqual([describeAcl(acl)])
        expect((error as AclsMissing).message).toContain(acl.configKey)
      } finally {
        await grant([acl])
      }
    },
    60_000,
  )

  it("`run` without one of them exits 1 at start, the missing ACL named", async () => {
    const acl = everyAcl.find((a) => a.resourceType === "transactional-id")
    if (acl === undefined) throw new Error("no transactional-id ACL listed")
    await revoke(acl)
    try {
      const config = writeConfig(dir, "refused", [], { kafka: runKafkaSection() })
      const ended = await startCommand(["run", "--config", config], runEnv()).ended(60_000)
      expect(ended.code, ended.stderr).toBe(1)
      expect(ended.stdout + ended.stderr).toContain(
        `Write on transactional ids prefixed ${prefix}, from kafka.transactional_id_prefix`,
      )
      expect(ended.stdout + ended.stderr).not.toContain(secured.user.password)
    } finally {
      await grant([acl])
    }
  }, 90_000)

  it("a topic still to be created needs Create, on the topic or the cluster", async () => {
    const fresh = { ...topics, dead_letter: `${topics.dead_letter}-new` }
    const config = kafkaConfig({ topics: fresh })
    // Everything on the new topic but Create: Write, DescribeConfigs.
    const onTopic = requiredAcls(config, new Set()).filter((acl) => acl.name === fresh.dead_letter)
    await grant(onTopic)
    const exit = await check(config)
    const error = Exit.isFailure(exit) ? (exit.cause as { error?: unknown }).error : exit
    expect(error).toBeInstanceOf(AclsMissing)
    expect((error as AclsMissing).missing.map(describeAcl)).toEqual([`Create on topic ${fresh.dead_letter}`])
    expect((error as AclsMissing).message).toContain("(or Create on the cluster)")

    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.CLUSTER,
          resourceName: "kafka-cluster",
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: `User:${secured.user.username}`,
          host: "*",
          operation: operationCodes.Create,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    })
    await untilAclCount(everyAcl.length + onTopic.length + 1)
    const passed = await check(config)
    expect(passed._tag, JSON.stringify(passed)).toBe("Success")
  }, 60_000)
})

describe("the Kafka ACLs section of docs/configuration.md", () => {
  const configuration = readFileSync(resolve(import.meta.dirname, "../../docs/configuration.md"), "utf8")
  const heading = "\n### Kafka ACLs\n"
  const start = configuration.indexOf(heading)
  // To the next heading of its level or higher, else to the page's end.
  const next = configuration.slice(start + heading.length).search(/^#{1,3} /m)
  const section = configuration.slice(start, next < 0 ? undefined : start + heading.length + next)
  it("is there", () => {
    expect(start).toBeGreaterThanOrEqual(0)
    expect(section).toContain("kafka.topics.checkpoints")
  })
  it("names every ACL the check requires, with its config key", () => {
    const config = { ...defaultKafkaSettings, ocsf: { enabled: true } }
    for (const acl of requiredAcls(config, new Set(Object.values(config.topics)))) {
      expect(section, describeAcl(acl)).toContain(
        acl.configKey.replace(/^kafka\.topics\..*/, "kafka.topics.*"),
      )
      expect(section, describeAcl(acl)).toContain(acl.operation)
    }
  })
})

/** The keys of the topic's records, read_committed as the super user, once `count` are there. */
const readCommitted = async (topic: string, count: number, withinMs: number) => {
  const consumer = secured.clientAs(secured.admin).consumer({ groupId: `reader-${randomUUID()}` })
  const keys: string[] = []
  // The connector creates the topic at start.
  for (let attempt = 0; !(await admin.listTopics()).includes(topic); attempt++) {
    if (attempt * 100 > withinMs) throw new Error(`no topic ${topic} within ${withinMs} ms`)
    await new Promise((wait) => setTimeout(wait, 100))
  }
  await consumer.connect()
  try {
    const done = new Promise<void>((ok) => {
      void consumer.subscribe({ topic, fromBeginning: true }).then(() =>
        consumer.run({
          eachMessage: async ({ message }) => {
            keys.push(message.key?.toString() ?? "")
            if (keys.length >= count) ok()
          },
        }),
      )
    })
    await Promise.race([
      done,
      new Promise((_, fail) =>
        setTimeout(
          () => fail(new Error(`${keys.length} of ${count} records within ${withinMs} ms`)),
          withinMs,
        ),
      ),
    ])
    return keys
  } finally {
    await consumer.disconnect()
  }
}
