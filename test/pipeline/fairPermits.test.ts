import { describe, expect, it } from "@effect/vitest"
import { fc } from "@fast-check/vitest"
import { Deferred, Duration, Effect, Fiber, TestClock } from "effect"
import { type FairPermits, unsafeMakeFairPermits } from "../../src/pipeline/fairPermits.ts"

/** Forks `effect` under a permit and waits until it is queued (or running), so forks queue in fork order. */
const queued = <A, E>(permits: FairPermits, effect: Effect.Effect<A, E>, waitingBefore: number) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(permits.withPermit(effect))
    while (permits.waiting() === waitingBefore) yield* Effect.yieldNow()
    return fiber
  })

/**
 * Whether `permits` lets `n` fibers hold a permit at the same time: `n` fibers that keep theirs are forked, and
 * the scheduler given many turns (no clock: the TestClock would never move).
 */
const admitsTogether = (permits: FairPermits, n: number) =>
  Effect.gen(function* () {
    let inside = 0
    const fibers = yield* Effect.forEach(Array.from({ length: n }), () =>
      Effect.fork(
        permits.withPermit(
          Effect.zipRight(
            Effect.sync(() => inside++),
            Effect.never,
          ),
        ),
      ),
    )
    for (let turn = 0; turn < 200 && inside < n; turn++) yield* Effect.yieldNow()
    const together = inside === n
    yield* Effect.forEach(fibers, Fiber.interrupt, { discard: true })
    return together
  })

describe("unsafeMakeFairPermits", () => {
  it.effect("hands the permits out in the order they were asked for", () =>
    Effect.gen(function* () {
      const permits = unsafeMakeFairPermits(1)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(permits.withPermit(Deferred.await(gate)))
      yield* Effect.yieldNow()
      const order: number[] = []
      const waiters: Fiber.RuntimeFiber<void>[] = []
      for (let i = 0; i < 50; i++)
        waiters.push(
          yield* queued(
            permits,
            Effect.sync(() => void order.push(i)),
            i,
          ),
        )
      expect(permits.waiting()).toBe(50)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Effect.forEach(waiters, Fiber.join, { discard: true })
      expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i))
      expect(permits.waiting()).toBe(0)
    }),
  )

  it.effect(
    "a waiter interrupted leaves the queue; one interrupted as it is handed a permit passes it on",
    () =>
      Effect.gen(function* () {
        const permits = unsafeMakeFairPermits(1)
        const gate = yield* Deferred.make<void>()
        let handed: Fiber.RuntimeFiber<void> | undefined
        // The holder interrupts `handed` and, in the same run, releases the permit, which hands it to `handed`
        // before `handed` has seen its interrupt: `handed` never runs, and must pass the permit on to `last`.
        const holder = yield* Effect.fork(
          permits.withPermit(
            Effect.zipRight(
              Deferred.await(gate),
              Effect.sync(() => handed?.unsafeInterruptAsFork(handed.id())),
            ),
          ),
        )
        yield* Effect.yieldNow()
        const leaving = yield* queued(permits, Effect.void, 0)
        let handedRan = false
        handed = yield* queued(
          permits,
          Effect.sync(() => {
            handedRan = true
          }),
          1,
        )
        let lastRan = false
        const last = yield* queued(
          permits,
          Effect.sync(() => {
            lastRan = true
          }),
          2,
        )
        yield* Fiber.interrupt(leaving)
        expect(permits.waiting()).toBe(2)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        expect((yield* Fiber.await(handed))._tag).toBe("Failure")
        expect(handedRan).toBe(false)
        yield* Fiber.join(last)
        expect(lastRan).toBe(true)
        expect(permits.waiting()).toBe(0)
        expect(yield* admitsTogether(permits, 1)).toBe(true)
        expect(yield* admitsTogether(permits, 2)).toBe(false)
      }),
  )

  it.effect("with heldAtMost, gives the permit back after that long while the holder goes on", () =>
    Effect.gen(function* () {
      const permits = unsafeMakeFairPermits(1)
      let slowDone = false
      const slow = yield* Effect.fork(
        permits.withPermit(
          Effect.sleep("60 seconds").pipe(
            Effect.andThen(() => {
              slowDone = true
            }),
          ),
          { heldAtMost: Duration.seconds(5) },
        ),
      )
      yield* Effect.yieldNow()
      let nextRan = false
      const next = yield* queued(
        permits,
        Effect.sync(() => {
          nextRan = true
        }),
        0,
      )
      yield* TestClock.adjust("4 seconds")
      expect(nextRan).toBe(false)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(next)
      expect(nextRan).toBe(true)
      expect(slowDone).toBe(false)
      yield* TestClock.adjust("55 seconds")
      yield* Fiber.join(slow)
      expect(slowDone).toBe(true)
      // Given back once, not again when the holder ended: still one permit.
      expect(yield* admitsTogether(permits, 2)).toBe(false)
      expect(yield* admitsTogether(permits, 1)).toBe(true)
    }),
  )

  it.effect("never lets more than its permits in, whatever is interrupted, and loses none", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.record({ holdMs: fc.nat(30), interruptAtMs: fc.option(fc.nat(40)) }), {
            minLength: 1,
            maxLength: 40,
          }),
          async (size, runs) => {
            const permits = unsafeMakeFairPermits(size)
            let inside = 0
            let most = 0
            const program = Effect.gen(function* () {
              const fibers = yield* Effect.forEach(runs, ({ holdMs }) =>
                Effect.fork(
                  permits.withPermit(
                    Effect.acquireUseRelease(
                      Effect.sync(() => {
                        inside++
                        most = Math.max(most, inside)
                      }),
                      () => Effect.sleep(Duration.millis(holdMs)),
                      () =>
                        Effect.sync(() => {
                          inside--
                        }),
                    ),
                  ),
                ),
              )
              yield* Effect.forEach(
                runs,
                ({ interruptAtMs }, i) =>
                  interruptAtMs === null
                    ? Effect.void
                    : Effect.fork(
                        Effect.delay(Fiber.interrupt(fibers[i] as Fiber.RuntimeFiber<void>), interruptAtMs),
                      ),
                { discard: true },
              )
              yield* Effect.forEach(fibers, Fiber.await, { discard: true })
              return {
                most,
                waiting: permits.waiting(),
                together: yield* admitsTogether(permits, size),
                over: yield* admitsTogether(permits, size + 1),
              }
            })
            const result = await Effect.runPromise(program)
            expect(result.most).toBeLessThanOrEqual(size)
            expect(result.waiting).toBe(0)
            expect(result.together).toBe(true)
            expect(result.over).toBe(false)
          },
        ),
        { numRuns: 60 },
      ),
    ),
  )
})
