import { Deferred, Effect, Option, type Scope, SynchronizedRef } from "effect"

/**
 * Shares a read among the callers waiting for it, with one rule: a caller is answered only by a read that
 * started after it asked. A read of the checkpoint topic answers for what was committed before it started, and a
 * stream resynchronising after a commit in doubt must see that commit if it landed; joining a read already
 * running could hide it. So callers gather behind the running read and the next one serves them all.
 *
 * After a broker outage every account's stream is in doubt at once: with 1,000 accounts that is 1,000 reads of
 * the whole topic, each through its own consumer group, where one or two suffice. Effect's `Cache`,
 * `Effect.cached` and request batching share a result already running or computed (or batch within one fiber's
 * composition), which is the wrong rule here; hence this small combinator.
 *
 * The read runs in `scope` (the layer's), not in the caller's fiber: a caller interrupted while waiting must not
 * interrupt the read the others wait for.
 */
export const nextReadShared = <A, E>(read: Effect.Effect<A, E>, scope: Scope.Scope) =>
  Effect.gen(function* () {
    /** The callers gathered for the next read, which has not started yet. */
    const gathering = yield* SynchronizedRef.make(Option.none<Deferred.Deferred<A, E>>())
    const oneAtATime = yield* Effect.makeSemaphore(1)

    const runNext = (answer: Deferred.Deferred<A, E>) =>
      oneAtATime
        .withPermits(1)(
          Effect.gen(function* () {
            // From here on, callers gather for the read after this one.
            yield* SynchronizedRef.set(gathering, Option.none())
            const result = yield* Effect.exit(read)
            yield* Deferred.done(answer, result)
          }),
        )
        .pipe(
          // Closing the scope interrupts the read, or its wait for the one before: its callers learn so.
          Effect.onInterrupt(() => Deferred.interrupt(answer)),
        )

    return SynchronizedRef.modifyEffect(gathering, (next) =>
      Option.match(next, {
        onSome: (answer) => Effect.succeed([answer, next] as const),
        onNone: () =>
          Effect.gen(function* () {
            const answer = yield* Deferred.make<A, E>()
            yield* Effect.forkIn(runNext(answer), scope)
            return [answer, Option.some(answer)] as const
          }),
      }),
    ).pipe(Effect.flatMap(Deferred.await))
  })
