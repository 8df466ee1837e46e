/** A page waiting for its shard's producer: whose it is, and what it weighs against a transaction's budget. */
export interface WaitingPage {
  readonly accountId: string
  readonly weight: number
}

/**
 * The pages that go into the transaction `own` leads: `own` first, then the pages waiting behind it, in the
 * order they came, while the group's weight stays within `budget`. A page that must go `alone` (its account's
 * last transaction failed) goes in a transaction of its own and joins no other: one account whose page the
 * broker refuses (a topic it may not write, a record it will not take) fails a group once, not every group
 * it would have joined while it keeps failing.
 */
export const transactionGroup = <Page extends WaitingPage>(
  own: Page,
  waiting: ReadonlyArray<Page>,
  budget: number,
  alone: (page: Page) => boolean,
): Page[] => {
  const group = [own]
  if (alone(own)) return group
  let weight = own.weight
  for (const page of waiting) {
    if (page === own || alone(page)) continue
    if (weight + page.weight > budget) break
    group.push(page)
    weight += page.weight
  }
  return group
}

/** What a page weighs: the length of its values, read without encoding them (a budget, not a byte count). */
export const pageWeight = (
  messages: ReadonlyArray<{ readonly message: { readonly value?: unknown } }>,
): number => {
  let weight = 0
  for (const { message } of messages) {
    const value = message.value
    if (typeof value === "string" || Buffer.isBuffer(value)) weight += value.length
  }
  return weight
}
