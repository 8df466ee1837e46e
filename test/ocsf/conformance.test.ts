import { randomUUID } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"

// Every OCSF event the simulators of the 13 integrations make the connector publish, checked against the OCSF
// 1.8.0 definitions of the classes it uses, as transcribed in test/fixtures/ocsf-1.8.0/classes.json (see its
// $comment): required attributes (inherited ones included) and `at_least_one` constraints, no attribute the
// class or object does not define, attribute types, enum values, and type_uid = class_uid × 100 + activity_id.
// Events are made as the pipeline makes them, without a broker: pages read through the production adapters
// (pageAccount), routed by routeRecords with kafka.ocsf.enabled, the OCSF topic's messages taken.

interface AttributeDef {
  readonly requirement: "required" | "recommended" | "optional"
  readonly type: "integer" | "long" | "string" | "boolean" | "float" | "json" | "object" | "array"
  readonly items?: string
  readonly object?: string
  readonly enum?: ReadonlyArray<number | string>
  readonly enum_captions?: Readonly<Record<string, string>>
}
interface TypeDef {
  readonly constraints: { readonly at_least_one?: ReadonlyArray<string> }
  readonly attributes: Readonly<Record<string, AttributeDef>>
}
interface ClassDef extends TypeDef {
  readonly caption: string
  readonly class_uid: number
  readonly category_uid: number
  readonly category_name: string
}
const ocsf = JSON.parse(
  readFileSync(new URL("../fixtures/ocsf-1.8.0/classes.json", import.meta.url), "utf8"),
) as {
  readonly version: string
  readonly classes: Readonly<Record<string, ClassDef>>
  readonly objects: Readonly<Record<string, TypeDef>>
  readonly observable_type_ids: Readonly<Record<string, string>>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const hasType = (value: unknown, type: string): boolean => {
  switch (type) {
    case "integer":
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
    case "long":
      return Number.isSafeInteger(value)
    case "float":
      return typeof value === "number"
    case "string":
      return typeof value === "string"
    case "boolean":
      return typeof value === "boolean"
    case "object":
      return isObject(value)
    case "array":
      return Array.isArray(value)
    default:
      return true // json: any value
  }
}

/** Problems of `value` against an OCSF class or object definition, each naming its path. */
const problemsAgainst = (definition: TypeDef, value: Record<string, unknown>, path: string): string[] => {
  const problems: string[] = []
  for (const [name, attribute] of Object.entries(definition.attributes))
    if (attribute.requirement === "required" && value[name] === undefined)
      problems.push(`${path}${name}: required, missing`)
  const oneOf = definition.constraints.at_least_one
  if (oneOf !== undefined && !oneOf.some((name) => value[name] !== undefined))
    problems.push(`${path}: needs at least one of ${oneOf.join(", ")}`)
  for (const [name, item] of Object.entries(value)) {
    const attribute = definition.attributes[name]
    if (attribute === undefined) {
      problems.push(`${path}${name}: not an attribute of this class or object`)
      continue
    }
    if (!hasType(item, attribute.type)) problems.push(`${path}${name}: not of type ${attribute.type}`)
    if (attribute.enum !== undefined && !attribute.enum.includes(item as number))
      problems.push(`${path}${name}: ${String(item)} is not one of ${attribute.enum.join(", ")}`)
    // Nested objects are checked against their own definitions where the fixture has them.
    const nested = attribute.object === undefined ? undefined : ocsf.objects[attribute.object]
    if (nested === undefined) continue
    const elements = attribute.type === "array" && Array.isArray(item) ? item : [item]
    elements.forEach((element, i) => {
      const at = attribute.type === "array" ? `${path}${name}[${i}].` : `${path}${name}.`
      if (!isObject(element)) problems.push(`${at}: not an object`)
      else problems.push(...problemsAgainst(nested, element, at))
    })
  }
  return problems
}

/** Every problem of one OCSF event. */
const conformanceProblems = (event: Record<string, unknown>): string[] => {
  const definition = Object.values(ocsf.classes).find((c) => c.class_uid === event.class_uid)
  if (definition === undefined) return [`class_uid ${String(event.class_uid)} is not a class the fixture has`]
  const problems = problemsAgainst(definition, event, "")
  const activityId = event.activity_id as number
  if (event.type_uid !== definition.class_uid * 100 + activityId)
    problems.push(`type_uid ${String(event.type_uid)} is not class_uid × 100 + activity_id`)
  if (event.category_uid !== definition.category_uid) problems.push("category_uid is not the class's")
  if (event.class_name !== definition.caption) problems.push("class_name is not the class's caption")
  const caption = definition.attributes.activity_id?.enum_captions?.[String(activityId)]
  if (activityId !== 99 && event.activity_name !== caption)
    problems.push(`activity_name ${String(event.activity_name)} is not ${caption}`)
  const severity = definition.attributes.severity_id?.enum_captions?.[String(event.severity_id)]
  if (event.severity !== severity) problems.push(`severity is not ${severity}`)
  if (event.status_id !== undefined) {
    const status = definition.attributes.status_id?.enum_captions?.[String(event.status_id)]
    if (event.status !== status) problems.push(`status is not ${status}`)
  }
  if ((event.metadata as { version?: unknown } | undefined)?.version !== ocsf.version)
    problems.push("metadata.version is not the fixture's")
  for (const observable of (event.observables ?? []) as ReadonlyArray<{ type_id: number }>)
    if (ocsf.observable_type_ids[String(observable.type_id)] === undefined)
      problems.push(`observables: type_id ${observable.type_id} is not an OCSF observable type`)
  return problems
}

const minimalConfig = [
  "server:",
  "  api_keys: [test-api-key-0123456789]",
  `  cursor_secret: ${"s".repeat(40)}`,
  "kafka: { ocsf: { enabled: true } }",
  "accounts: []",
].join("\n")
const kafka: ConnectorConfig["kafka"] = Either.getOrThrow(parseConfig("ocsf.test", minimalConfig, {})).config
  .kafka

const clients = providerClientsLayer(providers, { retryBase: "10 millis" })
const startSimulator = (integration: Integration) => {
  // A first Zoom read walks six months of report windows: more than Zoom's 10 requests a second.
  if (integration === "zoom")
    return startZoomSimulator({ seed: 7, historySize: 60, requestsPerSecond: 10_000 })
  const start = simulators[integration]
  if (start === undefined) return Effect.dieMessage(`no simulator for ${integration}`)
  return start({ seed: 7, historySize: 60 })
}

const simulated = Object.keys(simulators) as Integration[]
/** type_uid → how many events, over every integration. */
const seen = new Map<number, number>()
const samples: Record<string, unknown>[] = []

describe(`every OCSF event conforms to OCSF ${ocsf.version}`, () => {
  it("the default config writes no OCSF topic; the fixture has the three classes used", () => {
    const defaults = Either.getOrThrow(
      parseConfig("ocsf.test", minimalConfig.replace("kafka: { ocsf: { enabled: true } }\n", ""), {}),
    ).config.kafka
    expect(defaults.ocsf.enabled).toBe(false)
    expect(defaults.topics.ocsf).toBe("user-directory.activities.ocsf")
    expect(Object.values(ocsf.classes).map((c) => c.class_uid)).toEqual([3002, 3001, 3004])
  })

  it.each(simulated)(
    "%s: one OCSF event per activity, each conforming",
    (integration) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const adapter = providers[integration]
            const sim = yield* startSimulator(integration)
            const account = { ...accountOn(adapter, sim), id: randomUUID() }
            const { pages, activities } = yield* readAccountToEnd(adapter, account, {}, 50).pipe(
              Effect.provide(clients),
            )
            expect(activities.length).toBeGreaterThan(0)
            const messages = pages.flatMap((page) => routeRecords(account, page.records, kafka).messages)
            const events = messages
              .filter((m) => m.topic === kafka.topics.ocsf)
              .map((m) => JSON.parse(String(m.message.value)) as Record<string, unknown>)
            // One per activity, the same id, the same key as the activity's record.
            expect(events.map((e) => (e.metadata as { uid: string }).uid)).toEqual(
              activities.map((a) => a.id),
            )
            const problems = events.flatMap((event) =>
              conformanceProblems(event).map(
                (problem) =>
                  `${problem} in ${JSON.stringify({ ...event, raw_data: undefined }).slice(0, 400)}`,
              ),
            )
            expect(problems).toEqual([])
            for (const event of events) {
              const typeUid = event.type_uid as number
              seen.set(typeUid, (seen.get(typeUid) ?? 0) + 1)
              if (process.env.OCSF_SAMPLES) samples.push(event)
            }
          }),
        ),
      ),
    120_000,
  )

  it("covered sign-ins (success and failure), account changes and entity management", () => {
    const types = [...seen.keys()]
    expect(types).toEqual(expect.arrayContaining([300201, 300202, 300101]))
    expect(types.some((t) => Math.floor(t / 100) === 3004)).toBe(true)
    if (process.env.OCSF_SAMPLES) writeFileSync(process.env.OCSF_SAMPLES, JSON.stringify(samples))
  })
})
