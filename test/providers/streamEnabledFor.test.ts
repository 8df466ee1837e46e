import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { AnyActivityStream } from "../../src/providers/ActivityStream.ts"
import { IntegrationRegistry } from "../../src/providers/IntegrationRegistry.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { pageAccount } from "../../src/providers/pageAccount.ts"
import { registry } from "../../src/providers/registry.ts"
import { startThrowawaySimulator, throwaway } from "../fixtures/throwaway/index.ts"

// `ActivityStream.enabledFor`: a stream an account has off is never asked, and its position stays as it was.

const [ledger] = throwaway.streams

/** A second stream on the same API, on only where the account's `settings.extra` says so; counts its requests. */
const optIn = () => {
  let built = 0
  const base = ledger as AnyActivityStream
  const stream: AnyActivityStream = {
    ...base,
    name: "extra",
    enabledFor: (settings) => settings.extra === "true",
    paging: {
      ...base.paging,
      first: (query) => {
        built++
        return base.paging.first(query)
      },
      next: (continuation, query) => {
        built++
        return base.paging.next(continuation, query)
      },
    },
  }
  const adapter = { ...throwaway, streams: [ledger, stream] } as const satisfies ProviderAdapter
  return { adapter, requests: () => built }
}

const Live = providerClientsLayer(IntegrationRegistry.extend(registry, { throwaway }).adapters, {
  retryBase: "10 millis",
})

describe("a stream off for an account (enabledFor)", () => {
  it.scopedLive("is never asked and keeps its position; on, it is read like any other", () =>
    Effect.gen(function* () {
      const sim = yield* startThrowawaySimulator(6)
      const accountWith = (settings: Record<string, string>): IntegratedAccount => ({
        id: "enabled-for-test",
        integration: "throwaway",
        baseUrl: new URL(sim.baseUrl),
        credentials: Schema.decodeUnknownSync(throwaway.credentials)(sim.credentials),
        settings,
      })
      const stored = { token: "kept-as-it-was" }

      const off = optIn()
      const page = yield* pageAccount(off.adapter, {
        account: accountWith({ extra: "false" }),
        filters: {},
        positions: { extra: stored },
        limit: 100,
      })
      expect(off.requests()).toBe(0)
      expect(page.positions.extra).toBe(stored)
      expect(page.records.map((r) => r.stream)).toEqual(Array(6).fill("audit_log"))
      expect(page.positions.audit_log).toEqual({ token: "6" })

      const on = optIn()
      const both = yield* pageAccount(on.adapter, {
        account: accountWith({ extra: "true" }),
        filters: {},
        positions: {},
        limit: 100,
      })
      expect(on.requests()).toBe(1)
      expect(both.records.filter((r) => r.stream === "extra")).toHaveLength(6)
      expect(both.positions.extra).toEqual({ token: "6" })
    }).pipe(Effect.provide(Live)),
  )
})
