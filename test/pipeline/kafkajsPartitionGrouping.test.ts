import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  groupMessagesPerPartition,
  groupPartitionsLinearly,
} from "../../src/pipeline/kafkajs/kafkajsPartitionGrouping.ts"

const { kafkajs } = groupPartitionsLinearly()

/** A partitioner that answers from the message (as kafkajs's keyed ones do) and notes what it was asked. */
const noting = (asked: unknown[]) => (args: { readonly message: { readonly p: number } }) => {
  asked.push(args.message)
  return args.message.p
}

describe("kafkajs's groupMessagesPerPartition, linear", () => {
  test.prop([
    fc.array(fc.record({ p: fc.integer({ min: 0, max: 5 }), value: fc.string({ maxLength: 5 }) }), {
      maxLength: 300,
    }),
    fc.array(fc.constant({}), { maxLength: 6 }),
  ])(
    "groups as kafkajs's own does: the same partitions, messages and order, the same questions",
    (messages, partitionMetadata) => {
      const askedOurs: unknown[] = []
      const askedKafkajs: unknown[] = []
      const args = { topic: "t", partitionMetadata, messages }
      const ours = groupMessagesPerPartition({ ...args, partitioner: noting(askedOurs) })
      const theirs = kafkajs({ ...args, partitioner: noting(askedKafkajs) })
      expect(Object.keys(ours)).toEqual(Object.keys(theirs))
      for (const partition of Object.keys(theirs)) {
        const mine = ours[Number(partition)] ?? []
        const expected = theirs[Number(partition)] ?? []
        expect(mine.length).toBe(expected.length)
        // The same message objects, not copies: kafkajs encodes what it is given.
        expect(mine.every((message, i) => message === expected[i])).toBe(true)
      }
      expect(askedOurs).toEqual(askedKafkajs)
    },
  )

  it("replaces kafkajs's when called before kafkajs loads, as kafkajsFirst.ts does", () => {
    const first = fileURLToPath(new URL("../../src/cli/kafkajsFirst.ts", import.meta.url))
    const answer = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        [
          `import ${JSON.stringify(first)}`,
          `import { createRequire } from "node:module"`,
          `const require = createRequire(${JSON.stringify(first)})`,
          `await import("kafkajs")`,
          // sendMessages took what the module answered when kafkajs loaded it.
          `const loaded = require.cache[require.resolve("kafkajs/src/producer/sendMessages.js")] !== undefined`,
          `const grouping = require("kafkajs/src/producer/groupMessagesPerPartition.js")`,
          "console.log(JSON.stringify({ loaded, grouping: grouping.name }))",
        ].join("\n"),
      ],
      { encoding: "utf8" },
    )
    expect(JSON.parse(answer)).toEqual({ loaded: true, grouping: "groupMessagesPerPartition" })
  })
})
