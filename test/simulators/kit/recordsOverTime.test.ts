import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, TestClock } from "effect"
import { recordsOverTime } from "../../../src/simulators/kit/recordsOverTime.ts"
import { seededRandom } from "../../../src/simulators/kit/seededRandom.ts"

describe("recordsOverTime", () => {
  it.effect("appends records every tick while its scope is open, and stops with it", () =>
    Effect.gen(function* () {
      const appended: Array<number> = []
      const scope = yield* Scope.make()
      let tick = 0
      yield* recordsOverTime({
        every: "2 seconds",
        perTick: Effect.sync(() => ++tick),
        append: (count) => appended.push(count),
      }).pipe(Scope.extend(scope))
      yield* TestClock.adjust("1 second")
      expect(appended).toEqual([])
      yield* TestClock.adjust("5 seconds")
      expect(appended).toEqual([1, 2, 3])
      yield* Scope.close(scope, Exit.void)
      yield* TestClock.adjust("10 seconds")
      expect(appended).toEqual([1, 2, 3])
    }),
  )

  it.scoped("takes a fixed count as well", () =>
    Effect.gen(function* () {
      const appended: Array<number> = []
      yield* recordsOverTime({ every: "1 minute", perTick: 5, append: (count) => appended.push(count) })
      yield* TestClock.adjust("2 minutes")
      expect(appended).toEqual([5, 5])
    }),
  )
})

describe("seededRandom", () => {
  it("tells the same story for the same seed, another for another", () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed)
      return [random.next(), random.int(1000), random.pick(["a", "b", "c"]), random.chars("xyz", 8)]
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
    const random = seededRandom(1)
    for (let i = 0; i < 1000; i++) {
      const n = random.int(7)
      expect(n >= 0 && n < 7 && Number.isInteger(n)).toBe(true)
    }
  })
})
