/** Effects to run once, right after the next page is answered: records arriving between two pages. */
export interface NextPageHooks {
  readonly add: (effect: () => void) => void
  /** Runs every effect added so far, once. */
  readonly run: () => void
}

export const nextPageHooks = (): NextPageHooks => {
  let pending: Array<() => void> = []
  return {
    add: (effect) => {
      pending.push(effect)
    },
    run: () => {
      const run = pending
      pending = []
      for (const effect of run) effect()
    },
  }
}
