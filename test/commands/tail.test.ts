import { randomUUID } from "node:crypto"
import { createServer, type Socket } from "node:net"
import { Effect } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startCommand } from "../support/connectorCommand.ts"
import { withAdmin, writeRecords } from "../support/topics.ts"

/**
 * A broker that is away without saying so: it accepts connections and never answers. `connected` resolves at
 * the first connection, which is when the command is surely running its program (and handling signals).
 */
const silentBroker = () =>
  new Promise<{ port: number; connected: Promise<void>; close: () => void }>((ok) => {
    let connected: () => void = () => undefined
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      connected()
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      ok({
        port: typeof address === "object" && address ? address.port : 9,
        connected: new Promise<void>((resolve) => {
          connected = resolve
        }),
        close: () => {
          for (const socket of sockets) socket.destroy()
          server.close()
        },
      })
    })
  })

describe("tail, as users run it, when the topic or the broker is not there", () => {
  const brokers = inject("kafkaBrokers")

  it("a topic that does not exist: exit 1, naming the topic and the brokers", async () => {
    const topic = `missing-${randomUUID()}`
    const ended = await startCommand(["tail", "--topic", topic, "--brokers", brokers]).ended(30_000)
    expect(ended.code).toBe(1)
    expect(ended.stderr).toContain(`tail: topic ${topic} does not exist on ${brokers}`)
  }, 40_000)

  it("a broker that does not answer: Ctrl-C ends the wait at once, exit 0", async () => {
    const broker = await silentBroker()
    const tail = startCommand(["tail", "--follow", "--brokers", `127.0.0.1:${broker.port}`])
    await broker.connected
    // Past the first connection timeout, into kafkajs's retries.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(tail.child.exitCode).toBeNull()
    const interruptedAt = performance.now()
    tail.child.kill("SIGINT")
    const ended = await tail.ended(15_000)
    expect(ended.code, ended.stderr).toBe(0)
    // tail's release cap is 2 s; a wait that ignores the interruption runs on for kafkajs's whole retry budget.
    expect(performance.now() - interruptedAt).toBeLessThan(3_000)
    broker.close()
  }, 30_000)

  it("a reader that stops reading (`| head -1`) ends tail quietly, exit 0", async () => {
    const topic = `tail-head-${randomUUID()}`
    await Effect.runPromise(
      withAdmin(brokers, (admin) =>
        admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }),
      ),
    )
    await writeRecords(
      brokers,
      topic,
      Array.from({ length: 2_000 }, (_, i) => ({
        key: "account-a",
        value: JSON.stringify({ id: `a-${i}` }),
      })),
    )
    const tail = startCommand(["tail", "--topic", topic, "--brokers", brokers, "--from-beginning"])
    await new Promise<void>((ok) => tail.child.stdout.once("data", () => ok()))
    // What `head -1` does once it has its line: it closes the pipe.
    tail.child.stdout.destroy()
    const ended = await tail.ended(20_000)
    expect(ended.code, ended.stderr).toBe(0)
    expect(ended.stderr).not.toMatch(/EPIPE|Unhandled/)
  }, 40_000)
})
