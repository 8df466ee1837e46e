// A provider simulator in a process of its own, so that serving pages takes none of the measured process's CPU:
// its history is generated before it answers, then each request is a slice of it. It prints one JSON line
// (base URL, credentials, settings) once listening, appends `N` new events for each `emit N` line read on
// stdin, and ends when its stdin closes.
//
//   node bench/kit/simulatorProcess.ts INTEGRATION HISTORY SEED

import { createInterface } from "node:readline"
import { Effect } from "effect"
import type { Integration } from "../../src/providers/registry.ts"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"

const [integration = "okta", history = "0", seed = "1"] = process.argv.slice(2)
const options = { historySize: Number(history), seed: Number(seed) }

/** The simulator, with its request limits lifted: the benchmarks measure the connector, not the quotas. */
const start = (name: Integration) => {
  if (name === "okta") return startOktaSimulator({ ...options, rateLimit: 1_000_000_000 })
  // Atlassian rate-limits every admin API request but publishes no number for `/events-stream` (its
  // Organizations REST API intro); the simulator's own 100 a minute stands for one org's, and here one simulator
  // stands for the run's every org, so it would be the bench's limit rather than the connector's.
  if (name === "atlassian")
    return startAtlassianSimulator({ ...options, streamRequestsPerMinute: 1_000_000_000 })
  if (name === "zoom") return startZoomSimulator({ ...options, requestsPerSecond: 1_000_000 })
  if (name === "browserstack")
    return startBrowserStackSimulator({ ...options, burst: 1_000_000, requestsPerMinute: 1_000_000 })
  const other = simulators[name]
  if (other === undefined) return Effect.dieMessage(`no simulator for ${name}`)
  return other(options)
}

Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const sim = yield* start(integration as Integration)
      process.stdout.write(
        `${JSON.stringify({ integration: sim.integration, baseUrl: sim.baseUrl, credentials: sim.credentials, settings: sim.settings })}\n`,
      )
      yield* Effect.async<void>((resume) => {
        const lines = createInterface({ input: process.stdin })
        lines.on("line", (line) => {
          const emit = /^emit (\d+)$/.exec(line.trim())
          if (emit) sim.emit(Number(emit[1]))
        })
        lines.on("close", () => resume(Effect.void))
      })
    }),
  ),
).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(String(error))
    process.exit(1)
  },
)
