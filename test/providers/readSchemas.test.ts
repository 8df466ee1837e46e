import { Effect, Either, Schema, SchemaAST } from "effect"
import { describe, expect, it } from "vitest"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../../src/providers/ActivityStream.ts"
import { AsanaAuditLogEvent } from "../../src/providers/asana/AsanaAuditLogEvent.ts"
import { AtlassianEvent } from "../../src/providers/atlassian/AtlassianEvent.ts"
import { failedSignInOf } from "../../src/providers/failedSignIn.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { OktaLogEvent } from "../../src/providers/okta/OktaLogEvent.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"
import { ProviderClientsTest } from "../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"

// Streams decode only what their mapping reads (a read schema picked from the whole one); the rest of a record
// reaches remote_data as the provider sent it. For each, simulator records mapped through the read schema must
// give exactly what the whole schema gave: the Activity, the failed sign-in, the Kafka values byte for byte.
// Streams whose mapping reads the whole record (a synthetic id digests it: BrowserStack, Confluence, GitHub;
// Zoom's id names every documented field; Dropbox's schema is only what it reads) decode what they declare.

/** Each narrowed stream's whole documented schema, by integration and stream name. */
const wholeSchemas: { readonly [I in Integration]?: Readonly<Record<string, Schema.Schema.AnyNoContext>> } = {
  asana: { audit_log_events: AsanaAuditLogEvent },
  atlassian: { events_stream: AtlassianEvent },
  okta: { system_log: OktaLogEvent },
}

/** The top-level field names a struct schema declares (through filters and annotations). */
const fieldNames = (schema: Schema.Schema.AnyNoContext): ReadonlyArray<PropertyKey> => {
  let ast: SchemaAST.AST = schema.ast
  while (SchemaAST.isRefinement(ast) || SchemaAST.isTransformation(ast))
    ast = SchemaAST.isRefinement(ast) ? ast.from : ast.to
  return SchemaAST.isTypeLiteral(ast) ? ast.propertySignatures.map((p) => p.name) : []
}

/** The simulator's whole history (seed 7), read through the adapter as the page loop reads it. */
const history = (integration: Integration) =>
  Effect.gen(function* () {
    const start = simulators[integration]
    if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
    const adapter = providers[integration]
    const sim = yield* start({ seed: 7, historySize: 150 })
    const account = accountOn(adapter, sim)
    const { pages } = yield* readAccountToEnd(adapter, account, {}, 100)
    return { account, records: pages.flatMap((page) => page.records) }
  }).pipe(Effect.scoped, Effect.provide(ProviderClientsTest))

const observedAt = "2026-12-07T00:00:00.000Z"

describe.each(Object.entries(wholeSchemas))(
  "%s: decode only what the mapping reads",
  (integration, whole) => {
    const adapter = providers[integration as Integration]
    const streams = new Map<string, AnyActivityStream>(adapter.streams.map((s) => [s.name, s]))
    /** The stream as it was before: the same mapping over the whole schema. */
    const wholeStream = (name: string): AnyActivityStream => {
      const stream = streams.get(name)
      const schema = whole[name]
      if (stream === undefined || schema === undefined) throw new Error(`${integration}: no stream ${name}`)
      return { ...stream, record: schema }
    }

    it("every narrowed stream decodes fewer fields than its whole schema", () => {
      for (const [name, schema] of Object.entries(whole)) {
        const read = fieldNames(streams.get(name)?.record as Schema.Schema.AnyNoContext)
        expect(read.length).toBeGreaterThan(0)
        expect(read.every((field) => fieldNames(schema).includes(field))).toBe(true)
        expect(streams.get(name)?.record).not.toBe(schema)
      }
    })

    it("simulator records map, route and count as failed sign-ins exactly as through the whole schema", async () => {
      const { account, records } = await Effect.runPromise(history(integration as Integration))
      const narrowed = records.filter(({ stream }) => whole[stream] !== undefined)
      expect(narrowed.length).toBeGreaterThan(50)
      const asBefore = narrowed.map(({ stream, raw }) => {
        // A copy: mapRecord keeps the last decode of each object, which must not serve the other path.
        const copy = structuredClone(raw)
        expect(
          Either.isRight(Schema.decodeUnknownEither(whole[stream] as Schema.Schema.AnyNoContext)(copy)),
        ).toBe(true)
        return { stream, raw: copy, observedAt, mapped: mapRecord(wholeStream(stream), account, copy) }
      })
      const asNow = narrowed.map(({ stream, raw }) => ({
        stream,
        raw,
        observedAt,
        mapped: mapRecord(streams.get(stream) as AnyActivityStream, account, raw),
      }))
      asNow.forEach((now, i) => {
        const before = asBefore[i]
        expect(Either.isRight(now.mapped)).toBe(true)
        expect(JSON.stringify(now.mapped)).toBe(JSON.stringify(before?.mapped))
        if (Either.isRight(now.mapped) && before !== undefined && Either.isRight(before.mapped))
          expect(failedSignInOf(streams.get(now.stream), now.mapped.right, now.raw)).toEqual(
            failedSignInOf(wholeStream(now.stream), before.mapped.right, before.raw),
          )
      })
      // Routing asks the registry's (narrowed) stream for failed sign-ins; the values must match to the byte.
      const values = (page: typeof asNow) =>
        routeRecords(account, page, defaultKafkaSettings).messages.map(({ topic, message }) => ({
          topic,
          value: String(message.value),
          headers: message.headers,
        }))
      expect(values(asNow)).toEqual(values(asBefore))
    })

    it("a malformed field the mapping does not read is published whole; the whole schema refused it", async () => {
      const { account, records } = await Effect.runPromise(history(integration as Integration))
      for (const [name, schema] of Object.entries(whole)) {
        const stream = streams.get(name) as AnyActivityStream
        const unread = fieldNames(schema).filter((field) => !fieldNames(stream.record).includes(field))
        const sample = records.find((record) => record.stream === name)?.raw as Record<PropertyKey, unknown>
        let refused = 0
        for (const field of unread) {
          // Wrong for every field but those declared unknown, which the whole schema accepts too.
          const malformed = { ...sample, [field]: [[Symbol.for("not json")]] }
          if (Either.isLeft(Schema.decodeUnknownEither(schema)(malformed))) refused++
          const mapped = mapRecord(stream, account, malformed)
          expect(Either.isRight(mapped) && mapped.right.remote_data).toBe(malformed)
        }
        expect(refused).toBeGreaterThan(0)
      }
    })
  },
)
