import { it } from "@effect/vitest"

/**
 * @effect/vitest's testers as it first made them: `it.effect` and `it.scoped` on the TestContext (TestClock,
 * TestRandom). Its `layer(…)` assigns its own testers, bound to that layer's runtime, onto the one `it` object
 * that vitest and every file share, and leaves them there. With a fresh process per file this never showed;
 * `npm run test:unit` runs its files in shared processes, where the next file's `it.scoped` would find the
 * last layer's runtime and no TestClock. Captured once per process (the setup file re-runs for each test file,
 * modules it imports do not), before any test file has run.
 */
export const effectTesters = {
  effect: it.effect,
  scoped: it.scoped,
  live: it.live,
  scopedLive: it.scopedLive,
  flakyTest: it.flakyTest,
  layer: it.layer,
  prop: it.prop,
}
