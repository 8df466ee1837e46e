import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { Activity } from "../../src/domain/Activity.ts"
import { makePrometheus, makeStreamMetrics } from "../../src/observability/metrics.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import type { AccountStreamHealth } from "../../src/pipeline/StreamHealth.ts"

// Lag per account and stream: the page's newest created_at is kept per stream, and /metrics shows
// now − that instant for each stream of the account.

const kafka = Either.getOrThrow(
  parseConfig(
    "lag.test",
    `server:\n  api_keys: [test-api-key-0123456789]\n  cursor_secret: ${"s".repeat(40)}\naccounts: []\n`,
    {},
  ),
).config.kafka

const activity = (id: string, created_at: string): Activity => ({
  id,
  actor: { type: "user", user: { id: "u1" } },
  action: "login",
  created_at,
})

describe("lag per account and stream", () => {
  it("a page's newest created_at is kept per stream, dead letters aside", () => {
    const routed = routeRecords(
      {
        id: "7f8e1c1a-8d7e-4c3b-9a55-0d8c2b1e4f10",
        integration: "hubspot",
        baseUrl: new URL("https://api.hubapi.com"),
        credentials: { _tag: "Bearer", token: Redacted.make("not-a-token") },
        settings: {},
      },
      [
        { stream: "login_history", mapped: Either.right(activity("a", "2026-11-30T10:00:05.000Z")) },
        { stream: "security_activity", mapped: Either.right(activity("b", "2026-11-30T09:00:00.000Z")) },
        { stream: "login_history", mapped: Either.right(activity("c", "2026-11-30T10:00:01.000Z")) },
        {
          stream: "security_activity",
          mapped: Either.left({ raw: {}, stage: "decode" as const, reason: "no createdAt" }),
        },
      ].map((record) => ({ ...record, observedAt: "2026-11-30T10:00:06.000Z" })),
      kafka,
    )
    expect(routed.newestByStream).toEqual({
      login_history: "2026-11-30T10:00:05.000Z",
      security_activity: "2026-11-30T09:00:00.000Z",
    })
    expect(routed.newestCreatedAt).toBe("2026-11-30T10:00:05.000Z")
  })

  it.scoped("/metrics has one lag series per stream of the account", () =>
    Effect.gen(function* () {
      const now = Date.parse("2026-11-30T10:00:00.000Z")
      const health: AccountStreamHealth = {
        integrated_account_id: "lag-test-account",
        integration: "hubspot",
        state: "caught_up",
        consecutive_failures: 0,
        published_total: 3,
        dead_lettered_total: 0,
        gaps_total: 0,
        last_created_at: "2026-11-30T09:59:30.000Z",
        newest_by_stream: {
          login_history: "2026-11-30T09:59:30.000Z",
          security_activity: "2026-11-30T08:00:00.000Z",
        },
      }
      const mirror = yield* makeStreamMetrics
      yield* mirror([health], now)
      const text = yield* (yield* makePrometheus).render
      const lagOf = (stream: string) =>
        text
          .split("\n")
          .find(
            (line) =>
              line.startsWith("siem_connector_lag_seconds{") &&
              line.includes('integrated_account_id="lag-test-account"') &&
              line.includes(`stream="${stream}"`),
          )
          ?.split(" ")
          .at(-1)
      expect(lagOf("login_history")).toBe("30")
      expect(lagOf("security_activity")).toBe("7200")
    }),
  )
})
