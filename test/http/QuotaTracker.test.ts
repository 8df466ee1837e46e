import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber, Redacted, TestClock } from "effect"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { classifyAnswer } from "../../src/http/providerAnswer.ts"
import { QuotaTracker, ReplayPriority } from "../../src/http/QuotaTracker.ts"

const account: IntegratedAccount = {
  id: "quota-unit",
  integration: "zendesk",
  baseUrl: new URL("https://acme.zendesk.com"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
}
const req = { account, url: new URL("https://acme.zendesk.com/api/v2/audit_logs"), headers: {} }
/** Zendesk's IETF draft headers: `remaining` left, reset `resetSeconds` from now. */
const window = (remaining: number, resetSeconds: number) => ({
  "ratelimit-remaining": String(remaining),
  "ratelimit-reset": String(resetSeconds),
})
const Quota = QuotaTracker.Default("10 seconds")

describe("QuotaTracker, on the TestClock", () => {
  it.effect("a spent window holds the next request until its reset, then lets it go", () =>
    Effect.gen(function* () {
      const quota = yield* QuotaTracker
      yield* quota.record(req, window(0, 5), 0)
      const admitted = yield* Effect.fork(quota.admit(req))
      yield* TestClock.adjust("4999 millis")
      expect(yield* Fiber.poll(admitted)).toMatchObject({ _tag: "None" })
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(admitted)).toBeUndefined()
    }).pipe(Effect.provide(Quota)),
  )

  it.effect("a reset further away than the longest wait fails at once, saying when", () =>
    Effect.gen(function* () {
      const quota = yield* QuotaTracker
      yield* quota.record(req, window(0, 30), 0)
      const error = yield* Effect.flip(quota.admit(req))
      expect(error).toMatchObject({ _tag: "ProviderRateLimited", retryAfterMs: 30_000 })
      expect(error.message).toContain("resets in 30s")
    }).pipe(Effect.provide(Quota)),
  )

  it.effect("each request admitted takes one off what was reported; the last one waits", () =>
    Effect.gen(function* () {
      const quota = yield* QuotaTracker
      yield* quota.record(req, window(2, 5), 0)
      yield* quota.admit(req)
      yield* quota.admit(req)
      const third = yield* Effect.fork(quota.admit(req))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.poll(third)).toMatchObject({ _tag: "None" })
      yield* TestClock.adjust("4 seconds")
      yield* Fiber.join(third)
    }).pipe(Effect.provide(Quota)),
  )

  it.effect("an answer's remaining is stored less the requests still in flight beside it", () =>
    Effect.gen(function* () {
      const quota = yield* QuotaTracker
      const release = yield* Deferred.make<void>()
      // One request of the account still unanswered while another's answer says 1 is left: that 1 is its.
      const pending = yield* Effect.fork(quota.inFlightWhile(req, Deferred.await(release)))
      yield* Effect.yieldNow()
      yield* quota.record(req, window(1, 30), 0)
      expect(yield* Effect.flip(quota.admit(req))).toMatchObject({ _tag: "ProviderRateLimited" })
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(pending)
    }).pipe(Effect.provide(Quota)),
  )

  it.effect("a replay request is refused while what is left is the live stream's reserve", () =>
    Effect.gen(function* () {
      const quota = yield* QuotaTracker
      yield* quota.record(req, window(3, 5), 0)
      const refused = yield* Effect.flip(Effect.locally(quota.admit(req), ReplayPriority, { reserve: 3 }))
      expect(refused.message).toContain("kept for the account's live stream")
      // The live stream itself still goes.
      yield* quota.admit(req)
    }).pipe(Effect.provide(Quota)),
  )
})

describe("classifyAnswer", () => {
  const answer = (status: number, text: string, headers: Record<string, string> = {}) =>
    Either.flip(classifyAnswer(req, { status, headers, text }, 0))

  it("a 2xx is its JSON body, or nothing for an empty one", () => {
    expect(classifyAnswer(req, { status: 200, headers: {}, text: '{"a":1}' }, 0)).toEqual(
      Either.right({ status: 200, headers: {}, body: { a: 1 } }),
    )
    expect(classifyAnswer(req, { status: 204, headers: {}, text: "" }, 0)).toEqual(
      Either.right({ status: 204, headers: {}, body: undefined }),
    )
  })

  it("a 2xx that is not JSON is a bad response naming its content type, not its content", () => {
    const error = Either.getOrThrow(answer(200, "<html>sign in</html>", { "content-type": "text/html" }))
    expect(error).toMatchObject({ _tag: "ProviderBadResponse" })
    expect(error.message).toContain("content-type text/html, 20 characters")
    expect(error.message).not.toContain("sign in")
  })

  it.each([
    [429, {}, "ProviderRateLimited"],
    [403, { "retry-after": "2" }, "ProviderRateLimited"],
    [403, {}, "ProviderUnauthorized"],
    [401, {}, "ProviderUnauthorized"],
    [503, {}, "ProviderUnavailable"],
    [400, {}, "ProviderRejected"],
  ])("a %i with %j is %s", (status, headers, tag) => {
    expect(Either.getOrThrow(answer(status, "{}", headers))._tag).toBe(tag)
  })

  it("an error carries the provider's code and message as describeError finds them", () => {
    const described = {
      ...req,
      describeError: (body: unknown) => ({ code: "InvalidValue", message: (body as { e: string }).e }),
    }
    const error = Either.getOrThrow(
      Either.flip(classifyAnswer(described, { status: 422, headers: {}, text: '{"e":"bad filter"}' }, 0)),
    )
    expect(error).toMatchObject({ _tag: "ProviderRejected", status: 422, code: "InvalidValue" })
    expect(error.message).toBe("zendesk answered 422 InvalidValue: bad filter")
  })
})
