import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { importsOf } from "../support/importsOf.ts"

// The folders of src/, lowest first. A file may import from its own folder or from one below it, never from
// one above: then no two folders can import each other, directly or round a longer loop. Type-only imports
// count too (they tie the folders together for a reader just the same). A new folder fails the test until it
// is placed here.
const LAYERS = [
  "domain",
  "observability",
  "http",
  "cursor",
  "ocsf",
  "auth",
  "providers",
  "config",
  "activities",
  "pipeline",
  "api",
  // Development tools: they use production code; production never loads them at start (productionBoundary),
  // only the CLI's development commands import them, dynamically.
  "simulators",
  "dev",
  "cli",
  "main.ts",
] as const

const src = resolve(import.meta.dirname, "../../src")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : []
  })

/** The top-level folder of src/ a path is in (`main.ts` for the entrypoint itself). */
const folderOf = (path: string): string => relative(src, path).split(sep)[0] ?? ""

/** The path segments under src/ of a relative import's target; undefined for a package import. */
const targetOf = (file: string, specifier: string | undefined) =>
  specifier?.startsWith(".") ? resolve(dirname(file), specifier) : undefined

/** Imports of `file` that reach a folder above its own (or a folder not placed in LAYERS). */
const upwardImports = (file: string, text: string): ReadonlyArray<string> => {
  const from = folderOf(file)
  const rank = (folder: string) => LAYERS.indexOf(folder as (typeof LAYERS)[number])
  return importsOf(file, text).flatMap(({ specifier }) => {
    const target = targetOf(file, specifier)
    if (target === undefined) return []
    const to = folderOf(target)
    if (to === from) return []
    const [fromRank, toRank] = [rank(from), rank(to)]
    if (fromRank === -1 || toRank === -1)
      return [`${relative(src, file)} → ${specifier} (folder not in LAYERS)`]
    return toRank > fromRank ? [`${relative(src, file)} → ${specifier} (${from} is below ${to})`] : []
  })
}

/** Imports from one provider's folder into another's (src/providers/paging is shared, not a provider). */
const crossProviderImports = (file: string, text: string): ReadonlyArray<string> => {
  const providerOf = (path: string) => {
    const [top, name, ...rest] = relative(src, path).split(sep)
    return top === "providers" && rest.length > 0 && name !== "paging" ? name : undefined
  }
  const own = providerOf(file)
  if (own === undefined) return []
  return importsOf(file, text).flatMap(({ specifier }) => {
    const target = targetOf(file, specifier)
    const other = target === undefined ? undefined : providerOf(target)
    return other !== undefined && other !== own ? [`${relative(src, file)} → ${specifier}`] : []
  })
}

/** The Kafka client's adapter: the one folder that may use kafkajs (the ports it implements are its parent's). */
const kafkaAdapter = join(src, "pipeline", "kafkajs")
/** Besides the adapter itself, the command line picks it and wires its layers. */
const adapterWiring = [kafkaAdapter, join(src, "cli")]

const isWithin = (path: string, dir: string) => path === dir || path.startsWith(`${dir}${sep}`)

const isKafkajs = (specifier: string | undefined) =>
  specifier === "kafkajs" || specifier?.startsWith("kafkajs/") === true

/** Modules a file loads by a call (`require`, `createRequire(…)(…)`): kafkajs's internals are reached so. */
const calledModules = (file: string, text: string): ReadonlyArray<string> => {
  const names: string[] = []
  const visit = (node: ts.Node) => {
    const [first] = ts.isCallExpression(node) ? node.arguments : []
    if (first !== undefined && ts.isStringLiteralLike(first)) names.push(first.text)
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS))
  return names
}

/** kafkajs, or a file inside it, loaded by a file outside the adapter. */
const kafkajsOutsideAdapter = (file: string, text: string): ReadonlyArray<string> =>
  isWithin(file, kafkaAdapter)
    ? []
    : [...importsOf(file, text).map(({ specifier }) => specifier), ...calledModules(file, text)]
        .filter(isKafkajs)
        .map((specifier) => `${relative(src, file)} → ${specifier}`)

/** Imports of the adapter from a file that only the ports should serve: the core, or a unit test's stand-in. */
const adapterImports = (file: string, text: string): ReadonlyArray<string> =>
  adapterWiring.some((dir) => isWithin(file, dir))
    ? []
    : importsOf(file, text).flatMap(({ specifier }) => {
        const target = targetOf(file, specifier)
        return target !== undefined && isWithin(target, kafkaAdapter)
          ? [`${relative(src, file)} → ${specifier}`]
          : []
      })

const files = sourceFiles(src)

describe("folder layers of src/", () => {
  it("every folder of src/ is placed in the order", () => {
    const folders = readdirSync(src, { withFileTypes: true }).map((entry) => entry.name)
    expect(folders.filter((name) => !(LAYERS as ReadonlyArray<string>).includes(name))).toEqual([])
  })

  it("no file imports from a folder above its own, so the folders form no cycle", () => {
    expect(files.length).toBeGreaterThan(200)
    expect(files.flatMap((file) => upwardImports(file, readFileSync(file, "utf8")))).toEqual([])
  })

  it("no provider's folder imports from another provider's", () => {
    expect(files.flatMap((file) => crossProviderImports(file, readFileSync(file, "utf8")))).toEqual([])
  })

  it("only the Kafka client's adapter, src/pipeline/kafkajs/, loads kafkajs", () => {
    expect(files.filter((file) => isWithin(file, kafkaAdapter)).length).toBeGreaterThan(10)
    expect(files.flatMap((file) => kafkajsOutsideAdapter(file, readFileSync(file, "utf8")))).toEqual([])
  })

  it("the core reaches Kafka through its ports: only the adapter and the command line import the adapter", () => {
    // The in-memory Kafka the stream's unit tests run on implements the same ports, without the adapter.
    const inMemory = resolve(import.meta.dirname, "../support/InMemoryKafka.ts")
    expect([...files, inMemory].flatMap((file) => adapterImports(file, readFileSync(file, "utf8")))).toEqual(
      [],
    )
  })

  it("the check sees the cycle metrics.ts once closed, type-only imports and unplaced folders included", () => {
    const metrics = join(src, "observability", "metrics.ts")
    const text = `
      import type { AccountStreamHealth } from "../pipeline/StreamHealth.ts"
      export type { Gauge } from "../api/Api.ts"
      type Later = import("../cli/runConnector.ts").Run
      import { Activity } from "../domain/Activity.ts"
      import { other } from "./AccountStreamHealth.ts"
      import { elsewhere } from "../newFolder/thing.ts"
      import { Effect } from "effect"
    `
    expect(upwardImports(metrics, text)).toEqual([
      "observability/metrics.ts → ../pipeline/StreamHealth.ts (observability is below pipeline)",
      "observability/metrics.ts → ../api/Api.ts (observability is below api)",
      "observability/metrics.ts → ../cli/runConnector.ts (observability is below cli)",
      "observability/metrics.ts → ../newFolder/thing.ts (folder not in LAYERS)",
    ])
    const okta = join(src, "providers", "okta", "streams", "systemLog.ts")
    expect(
      crossProviderImports(
        okta,
        `import { a } from "../../github/recordId.ts"\nimport { b } from "../../paging/linkHeader.ts"`,
      ),
    ).toEqual(["providers/okta/streams/systemLog.ts → ../../github/recordId.ts"])
  })

  it("the Kafka checks see kafkajs in a core module, by import or by require, and the adapter imported by it", () => {
    const publisher = join(src, "pipeline", "AccountPublisher.ts")
    const text = `
      import type { Producer } from "kafkajs"
      import { createRequire } from "node:module"
      const queue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js")
      import { KafkaClient } from "./kafkajs/KafkaClient.ts"
      import { KafkaFailure } from "./KafkaFailure.ts"
      const why = new Error("kafkajs's queue moved")
    `
    expect(kafkajsOutsideAdapter(publisher, text)).toEqual([
      "pipeline/AccountPublisher.ts → kafkajs",
      "pipeline/AccountPublisher.ts → kafkajs/src/network/requestQueue/index.js",
    ])
    expect(adapterImports(publisher, text)).toEqual([
      "pipeline/AccountPublisher.ts → ./kafkajs/KafkaClient.ts",
    ])
    // Inside the adapter, and in the command line's wiring, both are allowed.
    expect(kafkajsOutsideAdapter(join(kafkaAdapter, "KafkaClient.ts"), text)).toEqual([])
    expect(adapterImports(join(src, "cli", "runConnector.ts"), text)).toEqual([])
  })
})
