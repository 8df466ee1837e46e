import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import { Authorization } from "../../src/auth/Authorization.ts"
import { RefreshTokenStore } from "../../src/auth/RefreshTokenStore.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderUnavailable } from "../../src/http/ProviderError.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { providers } from "../../src/providers/registry.ts"
import { salesforce } from "../../src/providers/salesforce/index.ts"
import {
  type SalesforceSimulatorHandle,
  startSalesforceSimulator,
} from "../../src/simulators/salesforce/SalesforceSimulator.ts"

// Authorization against the Salesforce simulator with Refresh Token Rotation on, over a store kept in this
// test (the Kafka one is exercised by test/commands/refreshTokenRotation.test.ts): what is saved, when, and
// what is sent after a failed save or a restart.

interface MemoryStore {
  readonly saved: Array<string>
  failNextSave: boolean
  readonly layer: Layer.Layer<RefreshTokenStore>
}

const memoryStore = (): MemoryStore => {
  const byAccount = new Map<string, Redacted.Redacted<string>>()
  const store: MemoryStore = {
    saved: [],
    failNextSave: false,
    layer: Layer.succeed(
      RefreshTokenStore,
      RefreshTokenStore.make({
        persistent: true,
        refreshTokenFor: (account, configured) => Effect.succeed(byAccount.get(account.id) ?? configured),
        save: (account, _configured, rotated) =>
          Effect.suspend(() => {
            if (store.failNextSave) {
              store.failNextSave = false
              return Effect.fail(
                new ProviderUnavailable({ integration: account.integration, message: "store unavailable" }),
              )
            }
            byAccount.set(account.id, rotated)
            store.saved.push(Redacted.value(rotated))
            return Effect.void
          }),
      }),
    ),
  }
  return store
}

/** One process's authorization: its own token cache, over the given store. */
const authorization = (store: MemoryStore) =>
  Authorization.layerWithStore(providers).pipe(
    Layer.provide(Layer.merge(store.layer, ProviderHttp.layer({ retryBase: "10 millis" }))),
  )

const accountOf = (sim: SalesforceSimulatorHandle): IntegratedAccount => ({
  id: "rotating-account",
  integration: "salesforce",
  baseUrl: new URL(sim.baseUrl),
  credentials: Schema.decodeUnknownSync(salesforce.credentials)(sim.credentials),
  settings: { ...sim.settings, refresh_token_rotation: "true" },
})

/** A fresh access token: the cached one dropped first, so every call is a refresh. */
const refreshed = (account: IntegratedAccount) =>
  Effect.gen(function* () {
    const auth = yield* Authorization
    yield* auth.invalidate(account)
    return yield* auth.headerFor(account)
  })

const refusals = (sim: SalesforceSimulatorHandle) => sim.tokenRequests().filter((r) => r.error !== undefined)

describe("Authorization: a refresh token the provider rotates", () => {
  it.scopedLive("each rotated token is saved before its access token is handed out, and sent next", () =>
    Effect.gen(function* () {
      const sim = yield* startSalesforceSimulator({ historySize: 0, refreshTokenRotation: true })
      const account = accountOf(sim)
      const store = memoryStore()
      yield* Effect.gen(function* () {
        for (let n = 1; n <= 3; n++) {
          yield* refreshed(account)
          // Saved by the time the header is in hand, and it is the one the org accepts now.
          expect(store.saved).toHaveLength(n)
          expect(store.saved.at(-1)).toBe(sim.currentRefreshToken())
        }
      }).pipe(Effect.provide(authorization(store)))
      expect(new Set(store.saved).size).toBe(3)
      expect(refusals(sim)).toEqual([])
    }),
  )

  it.scopedLive(
    "a failed save fails that fetch, but the process keeps the rotated token and the next fetch saves its successor",
    () =>
      Effect.gen(function* () {
        const sim = yield* startSalesforceSimulator({ historySize: 0, refreshTokenRotation: true })
        const account = accountOf(sim)
        const store = memoryStore()
        yield* Effect.gen(function* () {
          store.failNextSave = true
          const failed = yield* Effect.flip(refreshed(account))
          expect(failed).toBeInstanceOf(ProviderUnavailable)
          expect(store.saved).toEqual([])
          yield* refreshed(account)
          expect(store.saved).toEqual([sim.currentRefreshToken()])
        }).pipe(Effect.provide(authorization(store)))
        expect(refusals(sim)).toEqual([])
      }),
  )

  it.scopedLive("a restarted process sends the stored token; one with nothing stored is refused", () =>
    Effect.gen(function* () {
      const sim = yield* startSalesforceSimulator({ historySize: 0, refreshTokenRotation: true })
      const account = accountOf(sim)
      const store = memoryStore()
      yield* refreshed(account).pipe(Effect.provide(authorization(store)))
      yield* refreshed(account).pipe(Effect.provide(authorization(store)))
      expect(refusals(sim)).toEqual([])
      // Nothing kept: the configured token, rotated away, goes out again.
      const error = yield* Effect.flip(refreshed(account).pipe(Effect.provide(authorization(memoryStore()))))
      expect(error._tag).toBe("ProviderUnauthorized")
      expect(error.message).toContain("expired access/refresh token")
      for (const secret of [sim.credentials.refresh_token, ...store.saved]) {
        expect(error.message).not.toContain(secret)
      }
      expect(refusals(sim).map((r) => r.error)).toEqual(["invalid_grant"])
    }),
  )
})
