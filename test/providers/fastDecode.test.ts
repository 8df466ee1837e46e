import { Effect, Either, Schema, type SchemaAST } from "effect"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../../src/providers/ActivityStream.ts"
import { TeamEvent } from "../../src/providers/dropbox/DropboxTeamEvent.ts"
import { failedSignInOf } from "../../src/providers/failedSignIn.ts"
import { compileCheck, fastDecoder, Refused } from "../../src/providers/fastDecode.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"
import { ProviderClientsTest } from "../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"

// The compiled decoder (fastDecode.ts) must accept exactly what Effect's decode of the same schema accepts and
// give an equal decoded value: same keys in the same order, undefined where Effect writes undefined. Compared
// here on the compiled checks themselves (not through the fallback, which would hide a stricter compiler
// behind Effect's second decode), for every stream's record schema, over the simulators' records of three seeds
// and over records mutated at every path they hold or their schema declares.

/** Every stream's record schema, and Dropbox's event, which its record's transformation decodes. */
const schemas: ReadonlyArray<{
  readonly integration: Integration
  readonly stream: string
  readonly schema: Schema.Schema<unknown, unknown>
}> = [
  ...Object.values(providers).flatMap((adapter) =>
    adapter.streams.map((stream) => ({
      integration: adapter.integration as Integration,
      stream: stream.name,
      schema: (adapter.integration === "dropbox" ? TeamEvent : stream.record) as Schema.Schema<
        unknown,
        unknown
      >,
    })),
  ),
]

/** The same schema, which fastDecoder leaves to Effect: a suspension is a node it does not compile. */
const effectOnly = <A, I>(schema: Schema.Schema<A, I>) => Schema.suspend((): Schema.Schema<A, I> => schema)

/** A value's JSON with its key order, undefined and non-finite numbers shown, for byte comparison. */
const shape = (value: unknown) =>
  JSON.stringify(value, (_, v) =>
    v === undefined ? "<undefined>" : typeof v === "number" && !Number.isFinite(v) ? `<${v}>` : v,
  )

/**
 * Every object's prototype along a value, by name: what toStrictEqual adds to toEqual besides undefined keys
 * (which `shape` shows). Not toStrictEqual itself: it reads an object's own `constructor` key as its type, and
 * a mutated record with `constructor: NaN` then equals nothing, itself included.
 */
const kinds = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return typeof value
  const prototype = Object.getPrototypeOf(value)
  const kind =
    prototype === null
      ? "null"
      : prototype === Object.prototype
        ? "Object"
        : prototype === Array.prototype
          ? "Array"
          : "other"
  return [kind, Object.values(value).map(kinds)]
}

/** The compiled checks and Effect's decode agree on `raw`: both refuse, or both accept with equal values. */
const expectSame = (schema: Schema.Schema<unknown, unknown>, raw: unknown) => {
  const check = compileCheck(schema.ast)
  if (check === undefined) throw new Error("not compiled")
  const compiled = check(raw)
  const effect = Schema.decodeUnknownEither(schema)(raw)
  expect(compiled === Refused ? "refused" : "accepted").toBe(Either.isRight(effect) ? "accepted" : "refused")
  if (Either.isRight(effect)) {
    expect(compiled).toEqual(effect.right)
    expect(kinds(compiled)).toEqual(kinds(effect.right))
    expect(shape(compiled)).toBe(shape(effect.right))
  }
}

type Raw = { readonly stream: string; readonly raw: unknown }

/** A simulator's whole history (the seed's), read through the adapter as the page loop reads it. */
const history = (integration: Integration, seed: number) =>
  Effect.gen(function* () {
    const start = simulators[integration]
    if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
    const adapter = providers[integration]
    const sim = yield* start({ seed, historySize: 120 })
    const account = accountOn(adapter, sim)
    const { pages } = yield* readAccountToEnd(adapter, account, {}, 100)
    return {
      account,
      records: pages.flatMap((page) => page.records.map(({ stream, raw }) => ({ stream, raw }))),
    }
  }).pipe(Effect.scoped, Effect.provide(ProviderClientsTest))

const seeds = [3, 7, 11]
const histories = new Map<Integration, { account: IntegratedAccount; records: Raw[] }>()

beforeAll(async () => {
  for (const integration of Object.keys(simulators) as Integration[]) {
    const read = await Promise.all(seeds.map((seed) => Effect.runPromise(history(integration, seed))))
    histories.set(integration, {
      account: read[0]?.account as IntegratedAccount,
      records: read.flatMap(({ records }) => records),
    })
  }
}, 120_000)

const recordsOf = (integration: Integration, stream: string) =>
  (histories.get(integration)?.records ?? [])
    .filter((record) => record.stream === stream)
    .map(({ raw }) => raw)

/** Every path a value holds (objects' keys, arrays' indexes), the value's own included. */
const pathsIn = (value: unknown, at: PropertyKey[] = []): PropertyKey[][] => {
  if (typeof value !== "object" || value === null) return [at]
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  return [at, ...keys.flatMap((key) => pathsIn((value as Record<PropertyKey, unknown>)[key], [...at, key]))]
}

/** Every path a schema declares, through refinements, unions and arrays (index 0 for an array's items). */
const declaredPaths = (ast: SchemaAST.AST, at: PropertyKey[] = []): PropertyKey[][] => {
  switch (ast._tag) {
    case "Refinement":
      return declaredPaths(ast.from, at)
    case "Union":
      return ast.types.flatMap((type) => declaredPaths(type, at))
    case "TupleType":
      return ast.rest.flatMap((rest) => declaredPaths(rest.type, [...at, 0]))
    case "TypeLiteral":
      return [at, ...ast.propertySignatures.flatMap((ps) => declaredPaths(ps.type, [...at, ps.name]))]
    default:
      return [at]
  }
}

/** Values to put where a field was: every JSON type, the near misses of the refinements, and undefined. */
const nearMisses: ReadonlyArray<unknown> = [
  null,
  undefined,
  "",
  " ",
  "x",
  "005000000000001AAA",
  "/services/data/v58.0/sobjects/LoginHistory/0Ya000000000001AAA",
  "2024-02-29T12:00:00Z",
  "2024-02-30T12:00:00Z",
  "2024-01-01T00:00:00",
  "2024-01-01T00:00:00.000+0000",
  "2024-01-01T00:00:00.123+02:00",
  "2024-01-01 00:00:00Z",
  "1700000000",
  0,
  -1,
  1.5,
  2 ** 53,
  1700000000000,
  Number.NaN,
  true,
  false,
  [],
  [null],
  ["x"],
  {},
  { ".tag": "x" },
  { url: "/a/b/0Ya000000000001AAA" },
]
const replacement = fc.oneof(
  fc.constantFrom(...nearMisses),
  fc.jsonValue({ maxDepth: 2 }),
  fc.anything({ maxDepth: 2 }),
)

type Mutation =
  | { readonly kind: "set"; readonly path: PropertyKey[]; readonly value: unknown }
  | { readonly kind: "delete"; readonly path: PropertyKey[] }
  | { readonly kind: "extra"; readonly path: PropertyKey[]; readonly key: string; readonly value: unknown }

/** A copy of `raw` with the mutation applied; where the path's parent is no object, the copy unchanged. */
const mutate = (raw: unknown, mutation: Mutation): unknown => {
  const copy = structuredClone(raw)
  if (mutation.path.length === 0 && mutation.kind === "set") return mutation.value
  const parentPath = mutation.kind === "extra" ? mutation.path : mutation.path.slice(0, -1)
  let parent: unknown = copy
  for (const key of parentPath) {
    if (typeof parent !== "object" || parent === null) return copy
    parent = (parent as Record<PropertyKey, unknown>)[key]
  }
  if (typeof parent !== "object" || parent === null) return copy
  const holder = parent as Record<PropertyKey, unknown>
  const last = mutation.path.at(-1) as PropertyKey
  if (mutation.kind === "set") holder[last] = mutation.value
  else if (mutation.kind === "delete") delete holder[last]
  // An own property even for `__proto__`, as JSON.parse makes it.
  else
    Object.defineProperty(holder, mutation.key, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return copy
}

/** `raw` with up to three mutations, at paths it holds or its schema declares. */
const mutationsOf = (raw: unknown, schema: Schema.Schema<unknown, unknown>) => {
  const path = fc.constantFrom(...pathsIn(raw), ...declaredPaths(schema.ast))
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), path, value: replacement }),
    fc.record({ kind: fc.constant("delete" as const), path }),
    fc.record({
      kind: fc.constant("extra" as const),
      path,
      key: fc.oneof(fc.constantFrom("extra", "__proto__", "0", "constructor"), fc.string({ maxLength: 4 })),
      value: replacement,
    }),
  )
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce(mutate, raw))
}

/** One of the records, mutated. */
const mutatedRecord = (records: ReadonlyArray<unknown>, schema: Schema.Schema<unknown, unknown>) =>
  fc.integer({ min: 0, max: records.length - 1 }).chain((index) => mutationsOf(records[index], schema))

describe("compiled record decode", () => {
  it("compiles every stream's record schema (Dropbox's: its event), so none falls back to Effect", () => {
    for (const { integration, stream, schema } of schemas)
      expect(compileCheck(schema.ast), `${integration}/${stream}`).toBeDefined()
  })

  it("accepts every simulator record (three seeds) with Effect's decoded value", () => {
    for (const { integration, stream, schema } of schemas) {
      const records = recordsOf(integration, stream)
      expect(records.length, `${integration}/${stream}`).toBeGreaterThan(0)
      for (const raw of records) expectSame(schema, raw)
    }
  })

  describe.each(schemas.map((s) => [`${s.integration}/${s.stream}`, s] as const))("%s", (_, s) => {
    it("mutated records: fields removed, wrong types, nulls, extra fields, bad times", () => {
      const records = recordsOf(s.integration, s.stream)
      fc.assert(
        fc.property(mutatedRecord(records, s.schema), (raw) => expectSame(s.schema, raw)),
        { numRuns: 400 },
      )
    })

    it("every declared field of five records set to each near miss, removed, and beside an extra field", () => {
      // Deterministic, beside the random mutations above: each node kind meets each of its near misses.
      for (const raw of recordsOf(s.integration, s.stream).slice(0, 5))
        for (const path of declaredPaths(s.schema.ast).filter((p) => p.length > 0)) {
          expectSame(s.schema, mutate(raw, { kind: "delete", path }))
          expectSame(
            s.schema,
            mutate(raw, { kind: "extra", path: path.slice(0, -1), key: "extra", value: 1 }),
          )
          for (const value of nearMisses) expectSame(s.schema, mutate(raw, { kind: "set", path, value }))
        }
    })

    it("any value at all", () => {
      fc.assert(
        fc.property(fc.anything({ maxDepth: 3 }), (raw) => expectSame(s.schema, raw)),
        { numRuns: 200 },
      )
    })
  })

  it("mapRecord gives, for simulator and mutated records, the Activity, failed sign-in and Kafka values of Effect's decode", () => {
    for (const adapter of Object.values(providers)) {
      const integration = adapter.integration as Integration
      const history = histories.get(integration)
      if (history === undefined) throw new Error(`no history for ${integration}`)
      const { account } = history
      const streams = new Map<string, AnyActivityStream>(adapter.streams.map((s) => [s.name, s]))
      const effectStream = (name: string): AnyActivityStream => {
        const stream = streams.get(name) as AnyActivityStream
        return { ...stream, record: effectOnly(stream.record) }
      }
      const schemaOf = (name: string) =>
        schemas.find((s) => s.integration === integration && s.stream === name)?.schema as Schema.Schema<
          unknown,
          unknown
        >
      const records = history.records.flatMap(({ stream, raw }, i) => [
        { stream, raw },
        ...fc
          .sample(mutationsOf(raw, schemaOf(stream)), { numRuns: 3, seed: i })
          .map((mutated) => ({ stream, raw: mutated })),
      ])
      const observedAt = "2026-12-07T00:00:00.000Z"
      // Copies: mapRecord keeps a failed sign-in's decode per object, which must not serve the other side.
      const asEffect = records.map(({ stream, raw }) => {
        const copy = structuredClone(raw)
        return { stream, raw: copy, observedAt, mapped: mapRecord(effectStream(stream), account, copy) }
      })
      const asCompiled = records.map(({ stream, raw }) => {
        const copy = structuredClone(raw)
        return {
          stream,
          raw: copy,
          observedAt,
          mapped: mapRecord(streams.get(stream) as AnyActivityStream, account, copy),
        }
      })
      expect(asCompiled.some(({ mapped }) => Either.isLeft(mapped))).toBe(true)
      asCompiled.forEach((compiled, i) => {
        const effect = asEffect[i]
        expect(shape(compiled.mapped)).toBe(shape(effect?.mapped))
        if (Either.isRight(compiled.mapped) && effect !== undefined && Either.isRight(effect.mapped))
          expect(failedSignInOf(streams.get(compiled.stream), compiled.mapped.right, compiled.raw)).toEqual(
            failedSignInOf(effectStream(effect.stream), effect.mapped.right, effect.raw),
          )
      })
      const values = (page: typeof asCompiled) =>
        routeRecords(account, page, defaultKafkaSettings).messages.map(({ topic, message }) => ({
          topic,
          key: String(message.key),
          // A dead letter's own time is the clock's, read when each side routed.
          value: String(message.value).replace(/"dead_lettered_at":"[^"]*"/, ""),
          headers: message.headers,
        }))
      expect(values(asCompiled)).toEqual(values(asEffect))
    }
  })

  it("a suspended schema is left to Effect, as the comparison above needs", () => {
    const okta = providers.okta.streams[0] as AnyActivityStream
    expect(compileCheck(effectOnly(okta.record).ast)).toBeUndefined()
  })

  it("a refusal is Effect's own, reason and all", () => {
    const stream = providers.okta.streams[0] as AnyActivityStream
    const raw = { uuid: "", published: "2026-01-01T00:00:00.000Z", eventType: "user.session.start" }
    const decoded = fastDecoder(stream.record)(raw)
    expect(decoded).toStrictEqual(Schema.decodeUnknownEither(stream.record)(raw))
  })
})
