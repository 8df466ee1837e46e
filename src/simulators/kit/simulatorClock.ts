import { Effect } from "effect"

/**
 * The time a simulator lives by: the Effect `Clock` it was started under (real time unless a test provides
 * another), read synchronously because Node's request callbacks are not effects.
 */
export const simulatorClock: Effect.Effect<() => number> = Effect.map(
  Effect.clock,
  (clock) => () => clock.unsafeCurrentTimeMillis(),
)
