import { expect } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { Activity } from "../../src/domain/Activity.ts"
import type { StreamPositions } from "../../src/providers/pageAccount.ts"

interface Read {
  readonly activities: ReadonlyArray<Activity>
  readonly positions: StreamPositions
}

/**
 * After a first read to the end of a provider whose last page came without a cursor: polls with 0, 3, then 1
 * new records each return exactly the records logged since, so that across all reads every record comes
 * back once, in the provider's order.
 */
export const pollsReturnOnlyNew = <E, R>(
  simulator: { readonly emit: (count: number) => void; readonly events: () => ReadonlyArray<unknown> },
  idOf: (raw: never) => string,
  read: (positions?: StreamPositions) => Effect.Effect<Read, E, R>,
) =>
  Effect.gen(function* () {
    const ids = () => simulator.events().map((raw) => idOf(raw as never))
    const first = yield* read()
    expect(first.activities.map((a) => a.id)).toEqual(ids())
    const returned = first.activities.map((a) => a.id)
    let positions = first.positions
    for (const count of [0, 3, 1]) {
      yield* TestClock.adjust("1 minute")
      simulator.emit(count)
      const poll = yield* read(positions)
      returned.push(...poll.activities.map((a) => a.id))
      expect(poll.activities.map((a) => a.id)).toEqual(count === 0 ? [] : ids().slice(-count))
      positions = poll.positions
    }
    expect(returned).toEqual(ids())
  })
