import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Queue, Ref } from "effect"
import { nextReadShared } from "../../src/pipeline/nextReadShared.ts"

/**
 * A read that numbers itself when it starts, tells `started`, then waits for the test to let it end with
 * `release` (succeed) or `refuse` (fail).
 */
const gatedRead = Effect.gen(function* () {
  const count = yield* Ref.make(0)
  const started = yield* Queue.unbounded<number>()
  const gates = yield* Queue.unbounded<"release" | "refuse">()
  const read = Effect.gen(function* () {
    const n = yield* Ref.updateAndGet(count, (c) => c + 1)
    yield* Queue.offer(started, n)
    const gate = yield* Queue.take(gates)
    return gate === "release" ? n : yield* Effect.fail(`read ${n} refused`)
  })
  return {
    read,
    reads: Ref.get(count),
    started: Queue.take(started),
    release: Queue.offer(gates, "release"),
    refuse: Queue.offer(gates, "refuse"),
  }
})

describe("nextReadShared: callers share the next read that starts after they ask", () => {
  it.scoped("fifty callers asking together are answered by one read", () =>
    Effect.gen(function* () {
      const gate = yield* gatedRead
      const readAll = yield* nextReadShared(gate.read, yield* Effect.scope)
      const callers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(readAll))
      expect(yield* gate.started).toBe(1)
      yield* gate.release
      const answers = yield* Effect.forEach(callers, Fiber.join)
      expect(new Set(answers)).toEqual(new Set([1]))
      expect(yield* gate.reads).toBe(1)
    }),
  )

  it.scoped("a caller asking while a read runs is answered by the next read, never by the running one", () =>
    Effect.gen(function* () {
      const gate = yield* gatedRead
      const readAll = yield* nextReadShared(gate.read, yield* Effect.scope)
      const early = yield* Effect.fork(readAll)
      expect(yield* gate.started).toBe(1)
      // Read 1 has started: these two must wait for read 2, which they share.
      const late = yield* Effect.forEach([1, 2], () => Effect.fork(readAll))
      yield* gate.release
      expect(yield* Fiber.join(early)).toBe(1)
      expect(yield* gate.started).toBe(2)
      yield* gate.release
      expect(yield* Effect.forEach(late, Fiber.join)).toEqual([2, 2])
      expect(yield* gate.reads).toBe(2)
    }),
  )

  it.scoped("a failed read fails the callers it answers; the next caller reads again", () =>
    Effect.gen(function* () {
      const gate = yield* gatedRead
      const readAll = yield* nextReadShared(gate.read, yield* Effect.scope)
      const callers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(readAll))
      yield* gate.started
      yield* gate.refuse
      const exits = yield* Effect.forEach(callers, Fiber.await)
      expect(exits).toEqual([1, 2, 3].map(() => Exit.fail("read 1 refused")))
      const again = yield* Effect.fork(readAll)
      expect(yield* gate.started).toBe(2)
      yield* gate.release
      expect(yield* Fiber.join(again)).toBe(2)
    }),
  )

  it.scoped("a caller interrupted while it waits leaves the read to the others", () =>
    Effect.gen(function* () {
      const gate = yield* gatedRead
      const readAll = yield* nextReadShared(gate.read, yield* Effect.scope)
      const leaving = yield* Effect.fork(readAll)
      const staying = yield* Effect.fork(readAll)
      yield* gate.started
      yield* Fiber.interrupt(leaving)
      yield* gate.release
      expect(yield* Fiber.join(staying)).toBe(1)
    }),
  )

  it.effect("closing the scope interrupts the read and answers its callers with the interruption", () =>
    Effect.gen(function* () {
      const gate = yield* gatedRead
      const waiting = yield* Deferred.make<Exit.Exit<number, string>>()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const readAll = yield* nextReadShared(gate.read, yield* Effect.scope)
          yield* Effect.fork(
            Effect.exit(readAll).pipe(Effect.flatMap((exit) => Deferred.succeed(waiting, exit))),
          )
          yield* gate.started
        }),
      )
      const exit = yield* Deferred.await(waiting)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }),
  )
})
