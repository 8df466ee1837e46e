import { randomUUID } from "node:crypto"
import { createServer } from "node:net"
import { describe, expect, inject, it } from "vitest"
import { startCommand } from "../support/connectorCommand.ts"

/** A port nothing listens on: bound once to find it, then closed. */
const deadPort = () =>
  new Promise<number>((ok) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => ok(typeof address === "object" && address ? address.port : 9))
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

  it("a broker that is down: Ctrl-C ends the wait at once, exit 0", async () => {
    const port = await deadPort()
    const tail = startCommand(["tail", "--follow", "--brokers", `127.0.0.1:${port}`])
    // Long enough for the first connection attempts and their retries to be under way.
    await new Promise((r) => setTimeout(r, 2_500))
    expect(tail.child.exitCode).toBeNull()
    const interruptedAt = performance.now()
    tail.child.kill("SIGINT")
    const ended = await tail.ended(15_000)
    expect(ended.code, ended.stderr).toBe(0)
    // tail's release cap is 2 s; a wait that ignores the interruption runs on for kafkajs's whole retry budget.
    expect(performance.now() - interruptedAt).toBeLessThan(3_000)
  }, 30_000)
})
