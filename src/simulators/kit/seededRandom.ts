/**
 * A seeded source for generated records, so a seed always tells the same story. Synchronous, unlike Effect's
 * `Random`, because records are generated inside request callbacks and `emit` calls; mulberry32 is tiny and
 * good enough for test data. Credentials are never drawn from it (see `newSecret`).
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** An integer in [0, n). */
  readonly int: (n: number) => number
  readonly pick: <T>(items: ReadonlyArray<T>) => T
  /** `length` characters drawn from `alphabet`. */
  readonly chars: (alphabet: string, length: number) => string
}

export const seededRandom = (seed: number): SeededRandom => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    pick: <T>(items: ReadonlyArray<T>) => items[int(items.length)] as T,
    chars: (alphabet, length) => Array.from({ length }, () => alphabet[int(alphabet.length)]).join(""),
  }
}
