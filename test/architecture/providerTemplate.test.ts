import { existsSync, readdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { registry } from "../../src/providers/registry.ts"

// Every src/providers/<name>/ has the same files in the same roles (scripts/provider-template/ is the same
// layout, and `npm run new-provider` writes it): index.ts (the facts, exported under the registry name),
// credentials.ts, toActivity.ts, example.yaml, and each stream alone in streams/<its export>.ts. Raw schemas are
// PascalCase files named after the record; a record id helper, where one is needed, is recordId.ts.

const providersDir = resolve(import.meta.dirname, "../../src/providers")

describe.each(registry.names)("src/providers/%s follows the provider template", (name) => {
  const folder = join(providersDir, name)
  const adapter = registry.adapters[name]

  it("has index.ts, credentials.ts, toActivity.ts and example.yaml", () => {
    const missing = ["index.ts", "credentials.ts", "toActivity.ts", "example.yaml"].filter(
      (file) => !existsSync(join(folder, file)),
    )
    expect(missing).toEqual([])
  })

  it("index.ts exports the adapter under its registry name", async () => {
    const index = (await import(join(folder, "index.ts"))) as Record<string, unknown>
    expect(index[name]).toBe(adapter)
  })

  it("keeps each stream alone in streams/<its export>.ts", async () => {
    const placed = await Promise.all(
      adapter.streams.map(async (stream) => {
        for (const file of readdirSync(join(folder, "streams"))) {
          const module = (await import(join(folder, "streams", file))) as Record<string, unknown>
          const exported = Object.entries(module).find(([, value]) => value === stream)?.[0]
          if (exported !== undefined) {
            const streamsHere = Object.values(module).filter((value) =>
              adapter.streams.some((s) => s === value),
            )
            return {
              stream: stream.name,
              file,
              alone: streamsHere.length === 1,
              named: file === `${exported}.ts`,
            }
          }
        }
        return { stream: stream.name, file: undefined, alone: false, named: false }
      }),
    )
    expect(placed.filter((p) => p.file === undefined || !p.alone || !p.named)).toEqual([])
  })

  it("names no file after an older scheme (OktaCredentials.ts, syntheticId.ts, auditEventId.ts, streams.ts)", () => {
    const drift = readdirSync(folder).filter((file) =>
      /^(\w+Credentials|syntheticId|auditEventId|streams|queryStreams|reports)\.ts$/.test(file),
    )
    expect(drift).toEqual([])
  })
})
