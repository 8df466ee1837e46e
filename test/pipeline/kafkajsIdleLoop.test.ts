import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { stopKafkajsIdleLoop } from "../../src/pipeline/kafkajs/kafkajsIdleLoop.ts"

// kafkajs's own request queue, as every broker connection holds one, with the fix applied (test/support/setup.ts
// applies it too; applying it twice changes nothing).
stopKafkajsIdleLoop()

interface Queue {
  pending: ReadonlyArray<unknown>
  throttleCheckTimeoutId: unknown
  push: (request: unknown) => void
  checkPendingRequests: () => void
  maybeThrottle: (ms: number) => void
  destroy: () => void
}
const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as new (
  options: Record<string, unknown>,
) => Queue

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}
const queueOf = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:9",
    logger: { ...silent, namespace: () => silent },
  })

/** A request that expects no answer: the queue resolves it as soon as it is sent. */
const request = (correlationId: number, sent: Array<number>) => ({
  entry: {
    correlationId,
    apiKey: 0,
    apiName: "Produce",
    apiVersion: 7,
    resolve: () => undefined,
    reject: () => undefined,
  },
  expectResponse: false,
  requestTimeout: 30_000,
  sendRequest: () => sent.push(correlationId),
})

describe("kafkajs's request queue, idle loop stopped", () => {
  it("with nothing pending, a check arms no timer (kafkajs 2.2.4 armed one with a negative delay, every time)", () => {
    const queue = queueOf()
    queue.checkPendingRequests()
    expect(queue.throttleCheckTimeoutId).toBeNull()
    queue.push(request(1, []))
    expect(queue.throttleCheckTimeoutId).toBeNull()
    queue.destroy()
  })

  it("a request queued behind a throttle is sent when the throttle ends, and the queue goes quiet again", async () => {
    const queue = queueOf()
    const sent: Array<number> = []
    queue.maybeThrottle(50)
    queue.push(request(1, sent))
    expect(sent).toEqual([])
    expect(queue.pending).toHaveLength(1)
    expect(queue.throttleCheckTimeoutId).not.toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(sent).toEqual([1])
    expect(queue.pending).toHaveLength(0)
    expect(queue.throttleCheckTimeoutId).toBeNull()
    queue.destroy()
  })
})
