import { Chunk, Effect, TestClock } from "effect"

// Helpers for account-stream tests on the TestClock with real loopback HTTP: the clock moves only when the test
// moves it, while HTTP answers and in-memory commits arrive in real time.

/** Real time, for HTTP answers to arrive: the TestClock does not move by itself. */
export const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

/** Polls `check` in real time (up to 10 s); `advance` (e.g. moving the TestClock) runs between polls. */
export const eventually = (check: () => boolean, what: string, advance: Effect.Effect<void> = Effect.void) =>
  Effect.gen(function* () {
    for (let i = 0; i < 400; i++) {
      if (check()) return
      yield* advance
      yield* realSleep(25)
    }
    return yield* Effect.die(new Error(`timed out waiting for: ${what}`))
  })

/**
 * Waits in real time until some fiber sleeps on the TestClock, at least `ms` ahead of its current time. A test
 * that moves the clock to the end of a poll interval must first know that the stream has gone to sleep: a move
 * made before the sleep starts is lost, and under load the stream may still be committing its last page.
 */
export const asleepFor = (ms: number, what: string) =>
  Effect.gen(function* () {
    // Up to 30 s of real time: a guard against a stream that never sleeps, not a measure of its speed (a
    // history's pages take seconds of CPU on a loaded 2-core machine).
    for (let i = 0; i < 1_200; i++) {
      const now = yield* TestClock.currentTimeMillis
      const wakeUps = yield* TestClock.sleeps()
      if (Chunk.some(wakeUps, (at) => at - now >= ms)) return
      yield* realSleep(25)
    }
    return yield* Effect.die(new Error(`timed out waiting for the stream to sleep: ${what}`))
  })

/** Waits (in real time) until a fiber sleeps on the TestClock until about `ms` from now: a wait that long. */
export const sleepingFor = (ms: number, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1_200; i++) {
      const now = yield* TestClock.currentTimeMillis
      const wakeUps = yield* TestClock.sleeps()
      if (Chunk.some(wakeUps, (at) => at - now >= ms * 0.9 && at - now <= ms * 1.5)) return
      yield* realSleep(25)
    }
    return yield* Effect.die(new Error(`no fiber waits about ${ms} ms: ${what}`))
  })
