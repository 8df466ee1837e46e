import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { Authorization } from "../../src/auth/Authorization.ts"
import { ProviderUnavailable } from "../../src/http/ProviderError.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { okta } from "../../src/providers/okta/index.ts"
import type { OktaPosition } from "../../src/providers/okta/OktaPosition.ts"
import { readStreamPage } from "../../src/providers/readStream.ts"
import { type Page, requireProgress } from "../../src/providers/requireProgress.ts"

// Positions as the adapters hand them out: an Okta next link, and the offset-and-token kind other APIs use.
const oktaAt = (after: string): OktaPosition => ({
  next: `/api/v1/logs?sortOrder=ASCENDING&limit=40&after=${after}`,
})
const tokenAt = (token: string, offset: number) => ({ token, offset })
const records = [{ uuid: "a" }, { uuid: "b" }]

const page = <P>(next: P, recordsOnPage: ReadonlyArray<unknown>, hasMore: boolean): Page<P> => ({
  records: recordsOnPage,
  next,
  hasMore,
})

describe("requireProgress", () => {
  it("passes a page that moves the position on", () => {
    const fetched = page(oktaAt("t2"), records, true)
    expect(requireProgress("okta", oktaAt("t1"), fetched)).toEqual(Either.right(fetched))
    const last = page(tokenAt("x", 40), records, false)
    expect(requireProgress("zoom", tokenAt("x", 38), last)).toEqual(Either.right(last))
  })

  it("passes an empty caught-up page that stays where it was asked: that is tailing", () => {
    const caughtUp = page(oktaAt("t1"), [], false)
    expect(requireProgress("okta", oktaAt("t1"), caughtUp)).toEqual(Either.right(caughtUp))
  })

  it("passes any first page: without a requested position there is nothing to compare", () => {
    const first = page(oktaAt("t1"), records, true)
    expect(requireProgress("okta", undefined, first)).toEqual(Either.right(first))
  })

  it("refuses records handed back with the position they were asked with", () => {
    const result = requireProgress("okta", oktaAt("t1"), page(oktaAt("t1"), records, false))
    const refused = Either.isLeft(result) ? result.left : undefined
    expect(refused).toMatchObject({ _tag: "ProviderBadResponse", integration: "okta" })
    expect(refused?.message).toContain("okta")
    expect(refused?.message).toContain("2 records")
    // The position can hold filter values and provider tokens: it stays out of a message that is returned.
    expect(refused?.message).not.toContain("after=t1")
  })

  it("refuses an empty page that says more is waiting but does not move", () => {
    const result = requireProgress("okta", oktaAt("t1"), page(oktaAt("t1"), [], true))
    expect(Either.isLeft(result) && result.left._tag).toBe("ProviderBadResponse")
  })

  it("compares positions by their JSON encoding, not by identity", () => {
    const result = requireProgress("zoom", tokenAt("x", 40), page(tokenAt("x", 40), records, true))
    expect(Either.isLeft(result) && result.left._tag).toBe("ProviderBadResponse")
  })
})

describe("every stream read goes through the check (readStreamPage)", () => {
  const answering = (body: unknown, link: string) =>
    ProviderHttp.of({ send: () => Effect.succeed({ status: 200, headers: { link }, body }) })
  const passThrough = Authorization.of({
    headerFor: () => Effect.die("not asked"),
    invalidate: () => Effect.void,
    withAuthorization: (_account: unknown, call: (header: Redacted.Redacted<string>) => unknown) =>
      call(Redacted.make("SSWS test")),
  } as never)
  const account = {
    id: "progress",
    integration: "okta",
    baseUrl: new URL("https://acme.okta.com"),
    credentials: undefined as never,
    settings: {},
  }
  const [systemLog] = okta.streams
  const request = { account, filters: {}, position: oktaAt("t1"), limit: 40 }

  it.effect("refuses a page from any stream that repeats the requested position", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(readStreamPage(okta, systemLog, request))
      expect(error._tag).toBe("ProviderBadResponse")
    }).pipe(
      Effect.provideService(
        ProviderHttp,
        answering(records, `<https://acme.okta.com${oktaAt("t1").next}>; rel="next"`),
      ),
      Effect.provideService(Authorization, passThrough),
    ),
  )

  it.effect("hands on a page that moves", () =>
    Effect.gen(function* () {
      const page = yield* readStreamPage(okta, systemLog, request)
      expect(page).toMatchObject({ records, next: oktaAt("t2"), hasMore: true })
    }).pipe(
      Effect.provideService(
        ProviderHttp,
        answering(records, `<https://acme.okta.com${oktaAt("t2").next}>; rel="next"`),
      ),
      Effect.provideService(Authorization, passThrough),
    ),
  )

  it.effect("hands on a provider failure unchanged", () =>
    Effect.gen(function* () {
      const down = new ProviderUnavailable({ integration: "okta", status: 503, message: "down" })
      const error = yield* Effect.flip(
        readStreamPage(okta, systemLog, request).pipe(
          Effect.provideService(ProviderHttp, ProviderHttp.of({ send: () => Effect.fail(down) })),
        ),
      )
      expect(error).toBe(down)
    }).pipe(Effect.provideService(Authorization, passThrough)),
  )
})
