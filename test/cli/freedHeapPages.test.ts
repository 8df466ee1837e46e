import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { type MemoryReading, returnFreedHeapPages, shouldReturnPages } from "../../src/cli/freedHeapPages.ts"

const MiB = 1024 * 1024

describe("returning freed heap pages", () => {
  it("collects when the memory outside the heap grew by the headroom, not when the heap itself grew", () => {
    const reading = (rss: number, accounted: number): MemoryReading => ({
      rss: rss * MiB,
      accounted: accounted * MiB,
    })
    // 100 MiB outside the heap after the last collection.
    expect(shouldReturnPages(reading(300, 168), 100 * MiB, 32 * MiB)).toBe(true) // 132 outside: +32
    expect(shouldReturnPages(reading(300, 169), 100 * MiB, 32 * MiB)).toBe(false) // 131 outside: +31
    // The heap grew by 150 MiB of live objects: accounted for, so nothing to return.
    expect(shouldReturnPages(reading(400, 300), 100 * MiB, 32 * MiB)).toBe(false)
  })

  it.effect(
    "reads every interval, collects once per growth, and measures growth from what the collection left",
    () =>
      Effect.gen(function* () {
        // The process's memory as the collections change it: the pool grows by 80 MiB, a collection empties it.
        let rss = 200 * MiB
        const accounted = 100 * MiB
        let collections = 0
        const collect = () => {
          collections++
          rss -= 60 * MiB // the pool returned, less 20 MiB the allocator keeps
        }
        const fiber = yield* Effect.fork(
          returnFreedHeapPages({ every: "30 seconds", headroom: 32 * MiB }, collect, () => ({
            rss,
            accounted,
          })),
        )
        yield* TestClock.adjust("1 second")
        expect(collections).toBe(0)
        rss += 80 * MiB
        yield* TestClock.adjust("29 seconds")
        expect(collections).toBe(1)
        // 20 MiB more than at the start remain outside the heap; growth is counted from there, so +31 MiB waits.
        rss += 31 * MiB
        yield* TestClock.adjust("30 seconds")
        expect(collections).toBe(1)
        rss += 1 * MiB
        yield* TestClock.adjust("29 seconds")
        expect(collections).toBe(1) // not read yet: the interval is 30 s
        yield* TestClock.adjust("1 second")
        expect(collections).toBe(2)
        yield* Fiber.interrupt(fiber)
      }),
  )

  // The real thing, in a process of its own (its RSS is the measure): 300 MB of objects made, dropped and
  // collected, then the connector's own policy on the real memory readings and the real last-resort collector.
  it("gives a process's freed heap pages back to the system", () => {
    const script = `
      import { Effect, Fiber } from "effect"
      import { returnFreedHeapPages } from ${JSON.stringify(resolve(import.meta.dirname, "../../src/cli/freedHeapPages.ts"))}
      await Effect.runPromise(Effect.gen(function* () {
        // Started first, as the connector starts it before any account: growth is counted from here.
        const fiber = yield* Effect.fork(returnFreedHeapPages({ every: "200 millis", headroom: 32 * 1024 * 1024 }))
        yield* Effect.sleep("50 millis")
        // In one synchronous run, so that the policy cannot look meanwhile: objects made, dropped and collected
        // by full collections as V8 runs them by itself; the objects are gone, their pages stay resident.
        const before = yield* Effect.sync(() => {
          let kept = []
          for (let i = 0; i < 2_000_000; i++) kept.push({ a: i, b: "x" + i, c: [i] })
          kept = null
          globalThis.gc()
          globalThis.gc()
          return process.memoryUsage.rss()
        })
        yield* Effect.sleep("600 millis")
        yield* Fiber.interrupt(fiber)
        console.log(JSON.stringify({ before, after: process.memoryUsage.rss() }))
      }))
    `
    const child = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      cwd: resolve(import.meta.dirname, "../.."),
      encoding: "utf8",
    })
    expect(child.stderr).toBe("")
    const lines = child.stdout.trim().split("\n")
    expect(lines.filter((line) => line.includes("freed heap pages returned to the system"))).toHaveLength(1)
    const { before, after } = JSON.parse(lines.at(-1) ?? "") as { before: number; after: number }
    // Measured: about 320 MiB before, 65 MiB after. A Node.js that gives the pages back by itself fails the
    // first line: then this module is no longer needed.
    expect(before).toBeGreaterThan(250 * MiB)
    expect(after).toBeLessThan(before - 150 * MiB)
  })
})
