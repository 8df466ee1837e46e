import { Effect, Either, Schema, SchemaAST } from "effect"
import { describe, expect, it } from "vitest"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../../src/providers/ActivityStream.ts"
import { AsanaAuditLogEvent } from "../../src/providers/asana/AsanaAuditLogEvent.ts"
import { AtlassianEvent } from "../../src/providers/atlassian/AtlassianEvent.ts"
import { ConfluenceAuditRecord } from "../../src/providers/confluence/ConfluenceAuditRecord.ts"
import { failedSignInOf } from "../../src/providers/failedSignIn.ts"
import { FigmaActivityLog } from "../../src/providers/figma/FigmaActivityLog.ts"
import { GitHubAuditLogEvent } from "../../src/providers/github/GitHubAuditLogEvent.ts"
import {
  HubSpotAuditEvent,
  HubSpotLogin,
  HubSpotSecurityAction,
} from "../../src/providers/hubspot/HubSpotActivity.ts"
import { JiraAuditRecord } from "../../src/providers/jira/JiraAuditRecord.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { OktaLogEvent } from "../../src/providers/okta/OktaLogEvent.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { SalesforceLoginHistory } from "../../src/providers/salesforce/SalesforceLoginHistory.ts"
import { SalesforceSetupAuditTrail } from "../../src/providers/salesforce/SalesforceSetupAuditTrail.ts"
import { ZendeskAuditLog } from "../../src/providers/zendesk/ZendeskAuditLog.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"
import { ProviderClientsTest } from "../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"

// Streams decode only what their mapping reads (a read schema picked from the whole one); the rest of a record
// reaches remote_data as the provider sent it (and, where a synthetic id digests the whole record, stays in the
// decoded record undecoded: Confluence, GitHub). For each, simulator records mapped through the read schema
// must give exactly what the whole schema gave: the Activity, the failed sign-in, the Kafka values byte for
// byte. Not narrowed: BrowserStack's mapping reads every field it declares, Zoom's id names every documented
// field, and Dropbox's schema declares only what its mapping reads.

/** Each narrowed stream's whole documented schema, by integration and stream name. */
const wholeSchemas: { readonly [I in Integration]?: Readonly<Record<string, Schema.Schema.AnyNoContext>> } = {
  asana: { audit_log_events: AsanaAuditLogEvent },
  atlassian: { events_stream: AtlassianEvent },
  confluence: { audit_records: ConfluenceAuditRecord },
  figma: { activity_logs: FigmaActivityLog },
  github: { audit_log: GitHubAuditLogEvent },
  jira: { audit_records: JiraAuditRecord },
  hubspot: {
    login_history: HubSpotLogin,
    security_activity: HubSpotSecurityAction,
    audit_logs: HubSpotAuditEvent,
  },
  okta: { system_log: OktaLogEvent },
  salesforce: { login_history: SalesforceLoginHistory, setup_audit_trail: SalesforceSetupAuditTrail },
  zendesk: { audit_logs: ZendeskAuditLog },
}

/** The struct a schema decodes to, through filters, annotations, optional and nullable. */
const structOf = (ast: SchemaAST.AST): SchemaAST.TypeLiteral | undefined => {
  if (SchemaAST.isRefinement(ast)) return structOf(ast.from)
  if (SchemaAST.isTransformation(ast)) return structOf(ast.to)
  if (SchemaAST.isUnion(ast)) return ast.types.map(structOf).find((struct) => struct !== undefined)
  return SchemaAST.isTypeLiteral(ast) ? ast : undefined
}

/** The paths of the fields the whole schema declares and the read schema leaves out, at any depth. */
const unreadPaths = (
  whole: SchemaAST.AST,
  read: SchemaAST.AST,
  at: ReadonlyArray<PropertyKey> = [],
): ReadonlyArray<ReadonlyArray<PropertyKey>> => {
  const [w, r] = [structOf(whole), structOf(read)]
  if (w === undefined || r === undefined) return []
  return w.propertySignatures.flatMap((field) => {
    const kept = r.propertySignatures.find((other) => other.name === field.name)
    return kept === undefined
      ? [[...at, field.name]]
      : unreadPaths(field.type, kept.type, [...at, field.name])
  })
}

/** A copy of `record` with `value` at `path`; undefined when the record has no object to hold it. */
const withValueAt = (record: unknown, path: ReadonlyArray<PropertyKey>, value: unknown) => {
  const copy = structuredClone(record) as Record<PropertyKey, unknown>
  let parent: unknown = copy
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== "object" || parent === null) return undefined
    parent = (parent as Record<PropertyKey, unknown>)[key]
  }
  if (typeof parent !== "object" || parent === null || Array.isArray(parent)) return undefined
  ;(parent as Record<PropertyKey, unknown>)[path.at(-1) as PropertyKey] = value
  return copy
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

    it("every narrowed stream leaves fields of its whole schema undecoded, and decodes no other", () => {
      for (const [name, schema] of Object.entries(whole)) {
        const read = streams.get(name)?.record as Schema.Schema.AnyNoContext
        expect(read).not.toBe(schema)
        expect(unreadPaths(schema.ast, read.ast).length).toBeGreaterThan(0)
        // Every field it decodes is one the whole schema declares.
        expect(unreadPaths(read.ast, schema.ast)).toEqual([])
      }
    })

    it("simulator records map, route and count as failed sign-ins exactly as through the whole schema", async () => {
      const { account, records } = await Effect.runPromise(history(integration as Integration))
      const narrowed = records.filter(({ stream }) => whole[stream] !== undefined)
      expect(narrowed.length).toBeGreaterThan(50)
      for (const name of Object.keys(whole)) expect(narrowed.some(({ stream }) => stream === name)).toBe(true)
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
        let refused = 0
        for (const path of unreadPaths(schema.ast, stream.record.ast)) {
          const holder = records.find(
            ({ stream, raw }) => stream === name && withValueAt(raw, path, null) !== undefined,
          )
          // Wrong for every field but those declared unknown, which the whole schema accepts too.
          const malformed = withValueAt(holder?.raw, path, [[Symbol.for("not json")]])
          if (malformed === undefined) continue
          if (Either.isLeft(Schema.decodeUnknownEither(schema)(malformed))) refused++
          const mapped = mapRecord(stream, account, malformed)
          expect(Either.isRight(mapped) && mapped.right.remote_data).toBe(malformed)
        }
        expect(refused).toBeGreaterThan(0)
      }
    })
  },
)
