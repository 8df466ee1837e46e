import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Either, Redacted, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { okta } from "../../src/providers/okta/index.ts"
import { OktaLogEvent } from "../../src/providers/okta/OktaLogEvent.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"

// Okta's stream decodes only what its mapping reads (OktaLogEventRead); the rest of an event reaches
// remote_data as Okta sent it. These pin what that changes and what it must not.

const stream = okta.streams[0] as (typeof okta.streams)[number]
const account: IntegratedAccount = {
  id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
  integration: "okta",
  baseUrl: new URL("https://acme.okta.com"),
  credentials: { _tag: "Ssws", token: Redacted.make("00token") },
  settings: {},
}
const events = (
  JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/okta/system_log/001.json"), "utf8")) as {
    answer: { body: ReadonlyArray<Record<string, unknown>> }
  }
).answer.body
const fresh = () => JSON.parse(JSON.stringify(events)) as Array<Record<string, unknown>>

describe("Okta: decode only what the mapping reads", () => {
  it("the fixture's events map exactly as the whole LogEvent schema would have them", () => {
    for (const event of fresh()) {
      expect(Either.isRight(Schema.decodeUnknownEither(OktaLogEvent)(event))).toBe(true)
      const mapped = mapRecord(stream, account, event)
      expect(Either.isRight(mapped) && mapped.right.remote_data).toBe(event)
    }
  })

  it("a malformed part the mapping does not read is published, whole in remote_data; a read one is a dead letter", () => {
    const [first] = fresh()
    const unread = { ...first, target: "not a list", debugContext: 42 }
    const mapped = mapRecord(stream, account, unread)
    expect(Either.isRight(mapped)).toBe(true)
    expect(Either.isRight(mapped) && mapped.right.remote_data).toEqual(unread)
    // The whole LogEvent would have refused it.
    expect(Either.isLeft(Schema.decodeUnknownEither(OktaLogEvent)(unread))).toBe(true)

    const read = mapRecord(stream, account, { ...first, outcome: "FAILURE" })
    expect(Either.isLeft(read) && read.left).toMatchObject({ stage: "decode" })
    const noUuid = mapRecord(stream, account, { ...first, uuid: undefined })
    expect(Either.isLeft(noUuid) && noUuid.left.reason).toContain('OktaLogEvent\n└─ ["uuid"]')
  })

  it("a failed sign-in routed from a page names its reason and user, from the decode mapRecord made", () => {
    const records = fresh().map((raw) => ({
      stream: stream.name,
      raw,
      observedAt: "2026-12-07T00:00:00.000Z",
      mapped: mapRecord(stream, account, raw),
    }))
    const routed = routeRecords(account, records, defaultKafkaSettings)
    const failed = routed.messages.filter((m) => m.topic === defaultKafkaSettings.topics.login_failed)
    expect(failed.length).toBeGreaterThan(0)
    type Raw = { uuid?: string; displayMessage?: string; outcome?: { reason?: string | null } }
    const rawById = new Map(records.map(({ raw }) => [(raw as Raw).uuid, raw as Raw]))
    for (const { message } of failed) {
      const value = JSON.parse(String(message.value)) as { id: string; sign_in?: { reason?: string } }
      const raw = rawById.get(value.id)
      // What Okta said, as the record said it: outcome.reason, else the display message.
      expect(value.sign_in?.reason).toBe(raw?.outcome?.reason ?? raw?.displayMessage)
      expect(value.sign_in?.reason).toEqual(expect.any(String))
    }
  })
})
