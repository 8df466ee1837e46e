import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Redacted } from "effect"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { requirePinnedOrigin } from "../../src/http/hostPinning.ts"

const account: IntegratedAccount = {
  id: "pinning-unit",
  integration: "okta",
  baseUrl: new URL("https://acme.okta.com"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
}

/** The refusal, or undefined when the request may go. */
const check = (url: string, origin?: string) =>
  Option.getOrUndefined(
    Either.getLeft(
      Effect.runSync(
        Effect.either(
          requirePinnedOrigin({
            account,
            url: new URL(url),
            headers: {},
            ...(origin === undefined ? {} : { origin: new URL(origin) }),
          }),
        ),
      ),
    ),
  )

describe("requirePinnedOrigin", () => {
  it("lets through the account's own origin, whatever the path and query", () => {
    expect(check("https://acme.okta.com/api/v1/logs?after=x")).toBeUndefined()
    // URL parsing folds case and the default port into the same origin.
    expect(check("https://ACME.okta.com:443/api/v1/logs")).toBeUndefined()
  })

  it.each([
    ["another host", "https://evil.example/api/v1/logs", "evil.example"],
    ["a subdomain of the account's host", "https://x.acme.okta.com/api/v1/logs", "x.acme.okta.com"],
    ["the same host on another port", "https://acme.okta.com:8443/api/v1/logs", "acme.okta.com:8443"],
    ["the same host over plain HTTP", "http://acme.okta.com/api/v1/logs", "acme.okta.com"],
    ["the account's host as user info", "https://acme.okta.com@evil.example/api/v1/logs", "evil.example"],
  ])("refuses %s", (_, url, host) => {
    expect(check(url)).toMatchObject({ _tag: "ForeignHostRefused", integration: "okta", host })
  })

  it("a pinned request goes only to its pinned origin, not even the account's", () => {
    const tokenUrl = "https://auth.example/oauth/token"
    expect(check(tokenUrl, "https://auth.example")).toBeUndefined()
    const toBase = check("https://acme.okta.com/oauth/token", "https://auth.example")
    expect(toBase).toMatchObject({ _tag: "ForeignHostRefused", host: "acme.okta.com" })
    expect(toBase?.message).toContain("pinned to auth.example")
  })
})
