// What the mapping benchmarks share (bench/mapping.ts, bench/mappingFloor.ts): each integration's simulated
// history read through its adapter as the page loop reads it, kept as page texts, and the main-thread CPU timer.

import { randomUUID } from "node:crypto"
import { Effect, Either, Schema } from "effect"
import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { type AccountPage, pageAccount } from "../../src/providers/pageAccount.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"

export const kafka = Either.getOrThrow(
  parseConfig(
    "bench",
    `server: { api_keys: [bench-api-key-0123456789], cursor_secret: ${"x".repeat(32)} }\naccounts: []\n`,
    {},
  ),
).config.kafka

export interface Sample {
  readonly integration: Integration
  readonly account: IntegratedAccount
  /** Pages as the adapter read them: each record's stream and raw form. */
  readonly pages: ReadonlyArray<ReadonlyArray<{ readonly stream: string; readonly raw: unknown }>>
  /** Each page as JSON text, for the parse + stringify baseline. */
  readonly bodies: ReadonlyArray<string>
  readonly records: number
  readonly bytes: number
}

/** Reads the integration's whole simulated history through its adapter, as the pipeline's page loop does. */
export const sampleOf = (
  integration: Integration,
  options: { readonly records: number; readonly pageSize: number },
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const adapter = providers[integration]
      const start = simulators[integration]
      if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
      const seed = 11
      // Request limits lifted (Zoom's per second, BrowserStack's 15 a minute): reading is not what is measured.
      const sim = yield* integration === "zoom"
        ? startZoomSimulator({ seed, historySize: options.records, requestsPerSecond: 100_000 })
        : integration === "browserstack"
          ? startBrowserStackSimulator({
              seed,
              historySize: options.records,
              burst: 1_000_000,
              requestsPerMinute: 1_000_000,
            })
          : start({ seed, historySize: options.records })
      const account: IntegratedAccount = {
        id: randomUUID(),
        integration,
        baseUrl: new URL(sim.baseUrl),
        credentials: Schema.decodeUnknownSync(adapter.credentials)(sim.credentials),
        settings: sim.settings,
      }
      const pages: AccountPage[] = []
      let positions = {}
      for (let i = 0; i < 10_000; i++) {
        const page = yield* pageAccount(adapter, {
          account,
          filters: {},
          positions,
          limit: options.pageSize,
        }).pipe(Effect.provide(providerClientsLayer(providers, { retryBase: "10 millis" })))
        if (page.records.length > 0) pages.push(page)
        positions = page.positions
        if (!page.hasMore) break
      }
      const rawPages = pages.map((page) => page.records.map(({ stream, raw }) => ({ stream, raw })))
      // Records as they arrive: parsed from text, no object shared with the simulator or another record.
      const bodies = rawPages.map((page) => JSON.stringify(page.map(({ raw }) => raw)))
      const parsed = bodies.map((body, i) =>
        (JSON.parse(body) as unknown[]).map((raw, j) => ({ stream: rawPages[i]?.[j]?.stream ?? "", raw })),
      )
      return {
        integration,
        account,
        pages: parsed,
        bodies,
        records: parsed.reduce((n, page) => n + page.length, 0),
        bytes: bodies.reduce((n, body) => n + Buffer.byteLength(body), 0),
      } satisfies Sample
    }),
  )

/** The sample's pages parsed afresh from their text: each page arrives once, its objects new. */
export const freshPages = (sample: Sample): Sample["pages"] =>
  sample.bodies.map((body, i) =>
    (JSON.parse(body) as unknown[]).map((raw, j) => ({ stream: sample.pages[i]?.[j]?.stream ?? "", raw })),
  )

/**
 * The main thread's CPU time for one run of `pass`, in ms: on a shared, busy machine wall time counts the
 * time other processes held the core; the thread's own CPU time does not. Each sample repeats the pass until
 * it has taken at least 20 ms, so the timer's resolution does not weigh on small samples.
 */
export const cpuMsPerPass = <I>(pass: (input: I) => unknown, repeat: number, input: () => I) => {
  const inputs = Array.from({ length: repeat }, input)
  const start = process.threadCpuUsage()
  for (const one of inputs) pass(one)
  const used = process.threadCpuUsage(start)
  return (used.user + used.system) / 1000 / repeat
}
export const repeatsFor = <I>(pass: (input: I) => unknown, input: () => I) => {
  let repeat = 1
  while (cpuMsPerPass(pass, repeat, input) * repeat < 20) repeat *= 2
  return repeat
}
export const minimum = (xs: number[]) => Math.min(...xs)
