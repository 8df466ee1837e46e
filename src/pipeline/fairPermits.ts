import { type Duration, Effect } from "effect"

/** Permits handed out in the order they were asked for. */
export interface FairPermits {
  /**
   * Runs `self` holding one permit, after waiting (interruptibly) for one if none is free. With `heldAtMost`,
   * the permit is given back after that long even if `self` goes on: a slow `self` then no longer holds up
   * the waiters (its own work goes on unbounded).
   */
  readonly withPermit: <A, E, R>(
    self: Effect.Effect<A, E, R>,
    options?: { readonly heldAtMost?: Duration.Duration },
  ) => Effect.Effect<A, E, R>
  /** How many fibers are waiting for a permit now. */
  readonly waiting: () => number
}

interface Waiter {
  readonly resume: (effect: Effect.Effect<void>) => void
  /** Handed a permit by a release: it is the waiter's now, to use or to pass on. */
  granted: boolean
}

/**
 * A semaphore that hands a released permit straight to the fiber that has waited longest, waking only it.
 *
 * Why not `Effect.makeSemaphore`: its release wakes every waiter, and all but one find no permit and wait again,
 * so n fibers waiting cost O(n) resumptions per release and O(n²) to get through: a thousand accounts catching up
 * at once through 32 permits made the scale benchmark's heap peak at 664 MiB, against 143 MiB with these. An
 * Effect `Queue` of tokens wakes one taker, but loses the token of a taker interrupted just as it is handed one.
 */
export const unsafeMakeFairPermits = (permits: number): FairPermits => {
  let free = permits
  // A queue as an array and a head index: shifting a long array is linear in V8.
  let waiters: Array<Waiter | undefined> = []
  let head = 0
  let queued = 0

  const nextWaiter = () => {
    while (head < waiters.length) {
      const waiter = waiters[head]
      waiters[head++] = undefined
      if (waiter !== undefined) {
        queued--
        // Drop the slots already handed out once they are most of the array, so it does not grow forever.
        if (head > 1024 && head * 2 > waiters.length) {
          waiters = waiters.slice(head)
          head = 0
        }
        return waiter
      }
    }
    waiters = []
    head = 0
    return undefined
  }

  const release = () => {
    const next = nextWaiter()
    if (next === undefined) {
      free++
      return
    }
    next.granted = true
    next.resume(Effect.void)
  }

  // Queued inside `async`, not before it: a fiber may yield between two steps, and a release in between must
  // not find a waiter that cannot be resumed yet.
  const wait = Effect.async<void>((resume) => {
    const waiter: Waiter = { resume, granted: false }
    waiters.push(waiter)
    queued++
    // Interrupted while waiting: leave the queue. Interrupted just after a release handed it a permit (the
    // resumption not run yet): pass the permit on, or it would be lost.
    return Effect.sync(() => {
      if (waiter.granted) return release()
      const at = waiters.indexOf(waiter, head)
      if (at >= 0) {
        waiters[at] = undefined
        queued--
      }
    })
  })

  return {
    withPermit: (self, options) =>
      // Uninterruptible but for the wait and `self`: between taking a permit and arranging its release,
      // nothing may interrupt.
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          let held = true
          const giveBack = Effect.sync(() => {
            if (!held) return
            held = false
            release()
          })
          const run =
            options?.heldAtMost === undefined
              ? self
              : Effect.scoped(
                  Effect.zipRight(Effect.forkScoped(Effect.delay(giveBack, options.heldAtMost)), self),
                )
          if (free > 0) {
            free--
            return Effect.ensuring(restore(run), giveBack)
          }
          return Effect.zipRight(restore(wait), Effect.ensuring(restore(run), giveBack))
        }),
      ),
    waiting: () => queued,
  }
}

export const makeFairPermits = (permits: number) => Effect.sync(() => unsafeMakeFairPermits(permits))
