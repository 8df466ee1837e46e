import { type Duration, Effect, type Scope } from "effect"

/**
 * New records appearing at the provider while the connector runs: every `every`, `perTick` more are appended,
 * from a fiber that lives as long as the scope. `perTick` may be an effect, to draw bursts from `Random`; the
 * waits use the Effect `Clock`, so a test can drive them with `TestClock`.
 */
export const recordsOverTime = <R = never>(options: {
  readonly every: Duration.DurationInput
  readonly perTick: number | Effect.Effect<number, never, R>
  readonly append: (count: number) => void
}): Effect.Effect<void, never, R | Scope.Scope> => {
  const count = typeof options.perTick === "number" ? Effect.succeed(options.perTick) : options.perTick
  return Effect.sleep(options.every).pipe(
    Effect.zipRight(count),
    Effect.flatMap((n) => Effect.sync(() => options.append(n))),
    Effect.forever,
    Effect.forkScoped,
    Effect.asVoid,
  )
}
