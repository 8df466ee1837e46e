import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

const paths = {
  grouping: require.resolve("kafkajs/src/producer/groupMessagesPerPartition.js"),
  sendMessages: require.resolve("kafkajs/src/producer/sendMessages.js"),
}

/** What kafkajs's producer hands `groupMessagesPerPartition` (src/producer/sendMessages.js). */
export interface GroupingArgs<M> {
  readonly topic: string
  readonly partitionMetadata: ReadonlyArray<unknown>
  readonly messages: ReadonlyArray<M>
  readonly partitioner: (args: {
    readonly topic: string
    readonly partitionMetadata: ReadonlyArray<unknown>
    readonly message: M
  }) => number
}
export type Grouping = <M>(args: GroupingArgs<M>) => Record<number, M[]>

/**
 * kafkajs's `groupMessagesPerPartition`, the same answer in linear time: each partition's messages in the order
 * given, the partitioner asked once per message, in that order. kafkajs 2.2.4 (its last release) copies the
 * partition's array for every message it adds (`[...current, message]`, and an object per message for
 * `Object.assign`): a produce call of n records to one partition copies n²/2 references. The connector sends
 * every record of an account to one partition, about 400 records (1 MB) a call: 2.2 ms of CPU per 1,000
 * activities in the e2e bench's profile, besides the garbage.
 */
export const groupMessagesPerPartition: Grouping = <M>({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: GroupingArgs<M>) => {
  const grouped: Record<number, M[]> = {}
  if (partitionMetadata.length === 0) return grouped
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = grouped[partition]
    if (current === undefined) grouped[partition] = [message]
    else current.push(message)
  }
  return grouped
}

let state: { readonly replaced: boolean; readonly kafkajs: Grouping } | undefined

/**
 * Puts `groupMessagesPerPartition` in the place of kafkajs's, once per process. kafkajs's producer takes the
 * function when its module loads, which `import "kafkajs"` does, so this works only before the first import of
 * kafkajs: `kafkajsFirst.ts` calls it, and is the first import of the connector's entry point and of the e2e
 * bench. Answers whether kafkajs now groups with it (a process that loaded kafkajs first keeps kafkajs's:
 * correct, quadratic), and kafkajs's own, for the test that holds the two to the same answers.
 */
export const groupPartitionsLinearly = (): { readonly replaced: boolean; readonly kafkajs: Grouping } => {
  if (state !== undefined) return state
  const kafkajs = require(paths.grouping) as Grouping
  const cached = require.cache[paths.grouping]
  const replaced = require.cache[paths.sendMessages] === undefined && cached !== undefined
  if (replaced) cached.exports = groupMessagesPerPartition
  state = { replaced, kafkajs }
  return state
}
