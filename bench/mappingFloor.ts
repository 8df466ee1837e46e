// The mapping benchmark's floor: the least main-thread CPU per record that the published Kafka messages need,
// on the same pages as bench/mapping.ts, against the same parse + stringify. What is measured is code that writes
// the same messages as the connector (topic, key, timestamp, headers, value: checked against `routeRecords`'s,
// byte for byte, before anything is timed), with everything else given free: the records' decode and checks,
// `toActivity` (each record's Activity is built before the clock starts), the failed sign-ins' details. Steps,
// each including the ones before it:
//   1. the value's JSON: `JSON.stringify` of the raw record (`remote_data`) and of the Activity's fields, with the
//      envelope (written once a page) and the dedupe key (here given) spliced in where the connector writes them;
//   2. the dedupe key's digest (SHA-256 of source + id, one-shot `hash`);
//   3. the Kafka message: its CloudEvents headers, its timestamp (`Date.parse` of `created_at`), the login_failed
//      copy of a failed sign-in;
//   4. the synthetic id, where the provider's record has none (canonical JSON + SHA-256, Zoom's field digest);
//   5. the record's checks, as mapRecord runs them (the read schema's compiled checks, `fastDecode.ts`, the
//      cheapest found so far, so not a floor): what the same bytes need for any input, where a malformed record
//      must become a dead letter, though none of these is one;
//   5b. as 5, with `remote_data` sliced from the page's text instead of written again: each record's range found
//      by a scan of the page that also checks, record by record, that the text is what `JSON.stringify` would
//      write (no whitespace, only the escapes it writes, numbers as it writes them, no array-index key, which
//      V8 orders first). Duplicate keys are not checked, so the scan is a lower bound of what such a proof costs.
// Least of `--rounds` rounds each, main-thread CPU (`process.threadCpuUsage`), the sides alternating, as
// bench/mapping.ts measures. Prints only; the figures go into BENCHMARKS.md by hand (Round 5 under "Mapping
// optimisations").
//
//   node bench/mappingFloor.ts [--records N] [--page-size N] [--rounds N]

import { hash } from "node:crypto"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect, Either } from "effect"
import type { Activity } from "../src/domain/Activity.ts"
import { publishedSchemas } from "../src/domain/PublishedSchemas.ts"
import { envelopeOf, recordSource } from "../src/domain/RecordEnvelope.ts"
import type { OutgoingMessage } from "../src/pipeline/ActivityMessages.ts"
import { routeRecords } from "../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../src/providers/ActivityStream.ts"
import { syntheticId as browserstackId } from "../src/providers/browserstack/recordId.ts"
import { auditRecordId as confluenceId } from "../src/providers/confluence/recordId.ts"
import { teamEventId as dropboxId } from "../src/providers/dropbox/DropboxTeamEvent.ts"
import { syntheticEventId as githubId } from "../src/providers/github/recordId.ts"
import { decodeRecord, mapRecord } from "../src/providers/mapRecord.ts"
import { type Integration, providers } from "../src/providers/registry.ts"
import { activityLogId, operationLogId } from "../src/providers/zoom/recordId.ts"
import { simulators } from "../src/simulators/registry.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
import {
  cpuMsPerPass,
  freshPages,
  kafka,
  minimum,
  repeatsFor,
  type Sample,
  sampleOf,
} from "./kit/mappingSamples.ts"
import { fixed, int, load, markdownTable } from "./kit/report.ts"

const options = parseOptions("mappingFloor", { records: 2_000, pageSize: 100, rounds: 7 })

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** The provider's synthetic id of a raw record, for the integrations whose records may carry none. */
const syntheticIds: Partial<Record<Integration, (stream: string, raw: never) => string>> = {
  browserstack: (_, raw) => browserstackId(raw),
  confluence: (_, raw) => confluenceId(raw),
  dropbox: (_, raw) => dropboxId(raw),
  github: (_, raw) => githubId(raw),
  zoom: (stream, raw) => (stream === "activities" ? activityLogId(raw) : operationLogId(raw)),
}

/** What the floor is given free for one record: the connector's mapping of it, before the clock starts. */
interface Given {
  readonly fields: Omit<Activity, "remote_data">
  readonly id: string
  readonly action: string | undefined
  readonly createdAt: string
  readonly dedupe: string
  readonly signIn: object | undefined
  readonly loginFailed: boolean
  /** Set where the id is the provider's synthetic one (the record has none of its own). */
  readonly synthetic: ((stream: string, raw: never) => string) | undefined
  /** The connector's message for a record it dead-letters: given whole (none in the simulators' histories). */
  readonly deadLetter: OutgoingMessage | undefined
}

type Step = 1 | 2 | 3 | 4 | 5
const steps: ReadonlyArray<{ readonly step: Step; readonly bytes: boolean; readonly name: string }> = [
  { step: 1, bytes: false, name: "value JSON" },
  { step: 2, bytes: false, name: "+ dedupe digest" },
  { step: 3, bytes: false, name: "+ headers, timestamp, messages" },
  { step: 4, bytes: false, name: "+ synthetic ids" },
  { step: 5, bytes: false, name: "+ the record's checks" },
  { step: 5, bytes: true, name: "5 with remote_data from the page's bytes" },
]

/**
 * Each element of a JSON array's text as [start, end) pairs, start -1 where the element's text is not what
 * `JSON.stringify` writes of the value `JSON.parse` makes of it: whitespace, an escape it does not write (`\/`,
 * `\u` but for a control character without a short form), a number not in its shortest form, a key that is an
 * array index (V8 puts those first). Duplicate keys are not looked for. Strings are skipped by `indexOf`.
 */
const canonicalRanges = (text: string): number[] => {
  const out: number[] = []
  const n = text.length
  let depth = 0
  let start = 0
  let ok = true
  let i = 1
  // The next backslash at or after a string's start, looked for again only once passed: looked for from every
  // string, a page without one would be scanned to its end from each. Not looked for before the first string:
  // once TurboFan had compiled the scan, an `indexOf` without a position here made each page 20–30 times slower.
  let slash = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      const from = i + 1
      let quote = text.indexOf('"', from)
      if (slash !== -1 && slash < from) slash = text.indexOf("\\", from)
      while (slash !== -1 && slash < quote) {
        const e = text.charCodeAt(slash + 1)
        if (e === 117) {
          const code = Number.parseInt(text.slice(slash + 2, slash + 6), 16)
          if (code >= 0x20 || code === 8 || code === 9 || code === 10 || code === 12 || code === 13)
            ok = false
          slash = text.indexOf("\\", slash + 6)
        } else {
          if (e !== 34 && e !== 92 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) ok = false
          if (slash + 1 === quote) quote = text.indexOf('"', slash + 2)
          slash = text.indexOf("\\", slash + 2)
        }
      }
      const first = text.charCodeAt(from)
      if (first >= 48 && first <= 57 && text.charCodeAt(quote + 1) === 58) ok = false
      i = quote + 1
    } else if (c === 123 || c === 91) {
      if (depth === 0) {
        start = i
        ok = true
      }
      depth++
      i++
    } else if (c === 125 || c === 93) {
      depth--
      i++
      if (depth === 0) out.push(ok ? start : -1, i)
    } else if (c === 44 || c === 58) i++
    else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1
      for (; j < n; j++) {
        const d = text.charCodeAt(j)
        if (!((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45)) break
      }
      const token = text.slice(i, j)
      if (String(Number(token)) !== token) ok = false
      i = j
    } else if (c === 116 || c === 110) i += 4
    else if (c === 102) i += 5
    else {
      if (depth > 0) ok = false
      i++
    }
  }
  return out
}

const activitiesSchema = publishedSchemas.activities.id
const loginFailedSchema = publishedSchemas.login_failed.id

/** A sample's pages as they arrive: each page's text new (as a response body is), and its records parsed from it. */
interface Fresh {
  readonly bodies: ReadonlyArray<string>
  readonly pages: Sample["pages"]
}
const freshTexts = (sample: Sample): Fresh => {
  // A copy through bytes: a string of its own, flat, as a response body's text is.
  const bodies = sample.bodies.map((body) => Buffer.from(body).toString())
  const pages = bodies.map((body, i) =>
    (JSON.parse(body) as unknown[]).map((raw, j) => ({ stream: sample.pages[i]?.[j]?.stream ?? "", raw })),
  )
  return { bodies, pages }
}

/** One pass of the floor at `step` over the sample's pages: the messages it writes, to compare or to use. */
const floorPass = (
  sample: Sample,
  given: ReadonlyArray<ReadonlyArray<Given>>,
  observedAt: string,
  step: Step,
  bytes: boolean,
  { pages, bodies }: Fresh,
): OutgoingMessage[] => {
  const account = sample.account
  const streams = streamsOf(sample)
  const source = recordSource(account)
  const topics = kafka.topics
  const messages: OutgoingMessage[] = []
  for (let p = 0; p < pages.length; p++) {
    const page = pages[p] ?? []
    const facts = given[p] ?? []
    const envelope = JSON.stringify(envelopeOf(account, observedAt)).slice(1, -1)
    const body = bodies[p] ?? ""
    const ranges = bytes ? canonicalRanges(body) : undefined
    for (let r = 0; r < page.length; r++) {
      const { stream, raw } = page[r] as Sample["pages"][number][number]
      const g = facts[r] as Given
      if (g.deadLetter !== undefined) {
        messages.push(g.deadLetter)
        continue
      }
      if (step >= 5 && Either.isLeft(decodeRecord((streams.get(stream) as AnyActivityStream).record, raw)))
        throw new Error(`${sample.integration}: a record the connector published fails its checks`)
      const id = step >= 4 && g.synthetic !== undefined ? g.synthetic(stream, raw as never) : g.id
      const dedupe = step >= 2 ? hash("sha256", `${source}\n${id}`, "hex") : g.dedupe
      const start = ranges?.[2 * r] ?? -1
      const remote = start >= 0 ? body.slice(start, ranges?.[2 * r + 1]) : JSON.stringify(raw)
      const own = JSON.stringify(g.fields)
      const signIn = g.signIn === undefined ? "" : `,"sign_in":${JSON.stringify(g.signIn)}`
      const value = `${own.slice(0, -1)},${envelope},"dedupe_key":"${dedupe}"${signIn},"remote_data":${remote}}`
      if (step < 3) {
        messages.push({ topic: topics.activities, message: { key: account.id, value } })
        continue
      }
      const timestamp = String(Date.parse(g.createdAt))
      const headers = {
        ce_specversion: "1.0",
        ce_id: id,
        ce_source: source,
        ce_type: `com.siem-connector.user-directory.activity.${g.action ?? "unknown"}`,
        ce_time: g.createdAt,
        ce_dataschema: activitiesSchema,
        "content-type": "application/json",
        integration: account.integration,
        integrated_account_id: account.id,
        action: g.action ?? "",
        dedupe_key: dedupe,
      }
      messages.push({ topic: topics.activities, message: { key: account.id, value, timestamp, headers } })
      if (g.loginFailed)
        messages.push({
          topic: topics.login_failed,
          message: {
            key: account.id,
            value,
            timestamp,
            headers: { ...headers, ce_dataschema: loginFailedSchema },
          },
        })
    }
  }
  return messages
}

const streamsOf = (sample: Sample) =>
  new Map<string, AnyActivityStream>(
    providers[sample.integration].streams.map((s) => [s.name, s as AnyActivityStream]),
  )

/** The connector's messages for the sample, and what the floor is given of each record. */
const connectorRoute = (sample: Sample, observedAt: string) => {
  const streams = new Map<string, AnyActivityStream>(
    providers[sample.integration].streams.map((s) => [s.name, s as AnyActivityStream]),
  )
  const source = recordSource(sample.account)
  const messages: OutgoingMessage[] = []
  const given: Given[][] = []
  for (const page of freshPages(sample)) {
    const records = page.map(({ stream, raw }) => {
      const mapping = streams.get(stream)
      if (mapping === undefined) throw new Error(`${sample.integration}: no stream ${stream}`)
      return { stream, raw, observedAt, mapped: mapRecord(mapping, sample.account, raw) }
    })
    const routed = routeRecords(sample.account, records, kafka).messages
    messages.push(...routed)
    // Read back from the connector's own messages: an activity's message, and its login_failed copy if any.
    let at = 0
    given.push(
      records.map(({ stream, raw, mapped }) => {
        const first = routed[at++] as OutgoingMessage
        if (Either.isLeft(mapped)) return { deadLetter: first, synthetic: undefined } as unknown as Given
        const { remote_data: _, ...fields } = mapped.right
        const loginFailed = routed[at]?.topic === kafka.topics.login_failed
        if (loginFailed) at++
        const record = JSON.parse(first.message.value) as { readonly sign_in?: object }
        const idOf = syntheticIds[sample.integration]
        const synthetic = idOf !== undefined && idOf(stream, raw as never) === fields.id ? idOf : undefined
        return {
          fields,
          id: fields.id,
          action: fields.action,
          createdAt: fields.created_at,
          dedupe: hash("sha256", `${source}\n${fields.id}`, "hex"),
          signIn: record.sign_in,
          loginFailed,
          synthetic,
          deadLetter: undefined,
        } satisfies Given
      }),
    )
  }
  return { messages, given }
}

/** The same text for every message: topic, key, timestamp, headers (in order), value. */
const sameMessages = (a: ReadonlyArray<OutgoingMessage>, b: ReadonlyArray<OutgoingMessage>) =>
  a.length === b.length && a.every((m, i) => JSON.stringify(m) === JSON.stringify(b[i]))

const main = async () => {
  // MAPPING_FLOOR_ONLY=okta,zoom: those integrations alone (the "all 13" row then covers only them).
  const only = process.env.MAPPING_FLOOR_ONLY?.split(",")
  const integrations = (Object.keys(simulators) as Integration[]).filter((i) => only?.includes(i) ?? true)
  const observedAt = new Date().toISOString()
  const head = [
    "integration",
    "records",
    "parse + stringify",
    ...steps.map((s) => s.name),
    "floor ratio (4)",
    "floor ratio (5)",
    "floor ratio (5b)",
    "load",
  ]
  const rows: string[][] = []
  const totals = { records: 0, baseline: 0, steps: steps.map(() => 0) }
  for (const integration of integrations) {
    const sample = await Effect.runPromise(sampleOf(integration, options))
    const { messages, given } = connectorRoute(sample, observedAt)
    const synthetic = given.flat().filter((g) => g.synthetic !== undefined).length
    const deadLetters = given.flat().filter((g) => g.deadLetter !== undefined).length
    // Before anything is timed: the floor's steps 3 and 4 (both ways) write exactly the connector's messages.
    for (const bytes of [false, true])
      for (const step of [3, 4, 5] as const)
        if (!sameMessages(floorPass(sample, given, observedAt, step, bytes, freshTexts(sample)), messages))
          throw new Error(
            `${integration}: the floor at step ${step}${bytes ? "b" : ""} differs from routeRecords`,
          )
    const slicedRecords = sample.bodies.reduce(
      (n, body) => n + canonicalRanges(body).filter((v, i) => i % 2 === 0 && v >= 0).length,
      0,
    )
    const baselineRun = () => {
      let chars = 0
      for (const body of sample.bodies)
        for (const record of JSON.parse(body) as unknown[]) chars += JSON.stringify(record).length
      return chars
    }
    const runs = steps.map(
      ({ step, bytes }) =>
        (fresh: Fresh) =>
          floorPass(sample, given, observedAt, step, bytes, fresh),
    )
    const fresh = () => freshTexts(sample)
    for (let i = 0; i < 3; i++) {
      baselineRun()
      for (const run of runs) run(fresh())
    }
    const baselineRepeat = repeatsFor(baselineRun, () => undefined)
    const repeats = runs.map((run) => repeatsFor(run, fresh))
    const baseline: number[] = []
    const measured: number[][] = runs.map(() => [])
    for (let round = 0; round < options.rounds; round++) {
      gc()
      baseline.push(cpuMsPerPass(baselineRun, baselineRepeat, () => undefined))
      runs.forEach((run, s) => {
        gc()
        measured[s]?.push(cpuMsPerPass(run, repeats[s] ?? 1, fresh))
      })
    }
    const b = minimum(baseline)
    const least = measured.map(minimum)
    totals.records += sample.records
    totals.baseline += b
    least.forEach((ms, s) => {
      totals.steps[s] = (totals.steps[s] ?? 0) + ms
    })
    const us = (ms: number) => fixed((ms * 1000) / sample.records, 2)
    rows.push([
      integration,
      `${int(sample.records)}${synthetic > 0 ? ` (${int(synthetic)} synthetic ids)` : ""}${deadLetters > 0 ? ` (${deadLetters} dead letters)` : ""}${slicedRecords < sample.records ? ` (${int(sample.records - slicedRecords)} not sliceable)` : ""}`,
      us(b),
      ...least.map(us),
      `${fixed((least[3] ?? 0) / b, 2)}×`,
      `${fixed((least[4] ?? 0) / b, 2)}×`,
      `${fixed((least[5] ?? 0) / b, 2)}×`,
      load(),
    ])
    console.log(rows.at(-1)?.join("  "))
  }
  const us = (ms: number) => fixed((ms * 1000) / totals.records, 2)
  rows.push([
    "**all 13**",
    int(totals.records),
    us(totals.baseline),
    ...totals.steps.map(us),
    `**${fixed((totals.steps[3] ?? 0) / totals.baseline, 2)}×**`,
    `**${fixed((totals.steps[4] ?? 0) / totals.baseline, 2)}×**`,
    `**${fixed((totals.steps[5] ?? 0) / totals.baseline, 2)}×**`,
    load(),
  ])
  console.log(
    `\nnode bench/mappingFloor.ts ${optionsLine(options)} (µs of main-thread CPU per record, least of ${options.rounds})\n`,
  )
  console.log(markdownTable({ head, rows }))
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
