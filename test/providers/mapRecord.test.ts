import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { mapRecord, type RecordMapping } from "../../src/providers/mapRecord.ts"

const account = { id: "00000000-0000-4000-8000-000000000001", integration: "okta" } as IntegratedAccount

describe("mapRecord", () => {
  it("a mapping that throws on a decoded record rejects it at the map stage with the error's message", () => {
    const throwing: RecordMapping = {
      record: Schema.Struct({ at: Schema.Number }) as unknown as RecordMapping["record"],
      toActivity: (record) => {
        const { at } = record as unknown as { at: number }
        return Either.right({
          id: "x",
          actor: {},
          created_at: new Date(at).toISOString(),
        } as never)
      },
    }
    const mapped = mapRecord(throwing, account, { at: 1e21 })
    expect(Either.isLeft(mapped) && mapped.left).toEqual({
      raw: { at: 1e21 },
      stage: "map",
      reason: "mapping failed: Invalid time value",
    })
    expect(Either.isRight(mapRecord(throwing, account, { at: 0 }))).toBe(true)
  })
})
