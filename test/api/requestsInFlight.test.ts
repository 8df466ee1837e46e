import { randomUUID } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { apiOverAccounts } from "./apiOverSimulator.ts"
import { activitiesPath } from "./apiTestKit.ts"

/** A provider that holds every request until `answer` is called: the API's request stays in flight meanwhile. */
const heldProvider = Effect.acquireRelease(
  Effect.async<{ origin: string; held: () => number; answer: () => void; close: () => void }>((resume) => {
    const held: ServerResponse[] = []
    const server = createServer((_request, response) => held.push(response))
    server.listen(0, "127.0.0.1", () =>
      resume(
        Effect.succeed({
          origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          held: () => held.length,
          answer: () => {
            for (const response of held.splice(0))
              response.writeHead(200, { "content-type": "application/json" }).end("[]")
          },
          close: () => server.close(),
        }),
      ),
    )
  }),
  (provider) => Effect.sync(() => provider.close()),
)

/** Polls until `done` holds, for at most 5 s (the request goes through real sockets). */
const eventually = (done: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 500 && !done(); i++) yield* Effect.sleep("10 millis")
    expect(done()).toBe(true)
  })

describe("requests in flight", () => {
  it.scopedLive(
    "the API listener counts a request from its arrival until its response closes; the management listener's are not counted",
    () =>
      Effect.gen(function* () {
        const provider = yield* heldProvider
        const accountId = randomUUID()
        const api = yield* apiOverAccounts(
          [
            {
              id: accountId,
              integration: "okta",
              base_url: provider.origin,
              credentials: { api_token: "held" },
            },
          ],
          { maxRetries: 0, requestTimeout: "5 seconds" },
        )
        const requests = api.requestsInFlight
        const { url, managementUrl, apiKey } = api
        const traffic = () => Effect.runSync(requests.traffic)

        expect(traffic()).toEqual({ inFlight: 0, quietForMs: Number.POSITIVE_INFINITY })
        const health = yield* Effect.promise(() => fetch(`${managementUrl}/healthz`))
        yield* Effect.promise(() => health.text())
        expect(traffic()).toEqual({ inFlight: 0, quietForMs: Number.POSITIVE_INFINITY })

        const list = new URL(activitiesPath, url)
        list.searchParams.set("integrated_account_id", accountId)
        const answered = yield* Effect.fork(
          Effect.promise(async () => {
            const response = await fetch(list, { headers: { authorization: `Bearer ${apiKey}` } })
            await response.text()
          }),
        )
        yield* eventually(() => provider.held() === 1)
        expect(traffic()).toEqual({ inFlight: 1, quietForMs: 0 })
        provider.answer()
        // Whatever the answer (the held provider's `[]` lacks what Okta sends with it), the request is over.
        yield* Fiber.join(answered)
        yield* eventually(() => traffic().inFlight === 0)
        const { quietForMs } = traffic()
        expect(quietForMs).toBeGreaterThanOrEqual(0)
        expect(quietForMs).toBeLessThan(1_000)
      }),
  )
})
