import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { providers } from "../../src/providers/registry.ts"

// Recorded-shape pages (test/fixtures/<provider>/<stream>/*.json, shapes from each provider's documentation)
// through the streams' pure functions: the paginator reads the answer, the mapping makes Activities. No HTTP.

/** A fixture with the request it answered and the expected result; else a bare page body as the provider sent it. */
interface Fixture {
  readonly sent: string
  readonly answer: { status: number; headers: Record<string, string | string[]>; body: unknown }
  readonly expected: { continuation?: unknown; hasMore?: boolean; activities: ReadonlyArray<{ id: string }> }
}

const root = new URL("../fixtures/", import.meta.url)
const query = {
  filters: {},
  limit: 100,
  from: undefined,
  to: undefined,
  now: Date.parse("2026-11-02T00:00:00Z"),
}
const fixtureAccount = (integration: string): IntegratedAccount => ({
  id: "fixture-account",
  integration,
  baseUrl: new URL("https://provider.example"),
  credentials: undefined as never,
  settings: {},
})
/** `sha256:<a|b|c>` in a fixture stands for the hex digest of the text after the colon. */
const resolveIds = (id: string) =>
  id.startsWith("sha256:") ? createHash("sha256").update(id.slice("sha256:".length)).digest("hex") : id

const cases = Object.entries(providers).flatMap(([integration, adapter]) =>
  adapter.streams.flatMap((stream) => {
    const dir = new URL(`${integration}/${stream.name}/`, root)
    let files: string[] = []
    try {
      files = readdirSync(dir).filter((file) => file.endsWith(".json"))
    } catch {
      files = []
    }
    return files.map((file) => ({ integration, adapter, stream, file, dir }))
  }),
)

describe("streams read recorded-shape fixtures through their pure functions", () => {
  it("every built stream has at least one fixture", () => {
    const built = Object.entries(providers).flatMap(([integration, adapter]) =>
      adapter.streams.map((stream) => `${integration}/${stream.name}`),
    )
    expect(new Set(cases.map((c) => `${c.integration}/${c.stream.name}`))).toEqual(new Set(built))
  })

  it.each(cases)("$integration/$stream.name/$file", ({ integration, stream, file, dir }) => {
    const text = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as Fixture | Record<string, unknown>
    if (!("answer" in text)) {
      // A bare page: every record is read and maps, and the page's own continuation is what the paginator says.
      const page = Either.getOrThrow(
        stream.paging.read({ status: 200, headers: {}, body: text }, query, {
          url: new URL("https://provider.example/"),
          continuation: undefined,
        }),
      )
      expect(page.records.length).toBeGreaterThan(0)
      for (const raw of page.records)
        expect(Either.isRight(mapRecord(stream, fixtureAccount(integration), raw))).toBe(true)
      return
    }
    const fixture = text as Fixture
    const sent = new URL(fixture.sent)
    const account: IntegratedAccount = {
      id: "fixture-account",
      integration,
      baseUrl: new URL(sent.origin),
      credentials: undefined as never,
      settings: {},
    }
    const page = Either.getOrThrow(
      stream.paging.read(fixture.answer, query, { url: sent, continuation: undefined }),
    )
    expect(page.continuation).toEqual(fixture.expected.continuation)
    if (fixture.expected.hasMore !== undefined) expect(page.hasMore).toBe(fixture.expected.hasMore)
    const activities = page.records.map((raw) => {
      const { remote_data, ...activity } = Either.getOrThrow(mapRecord(stream, account, raw))
      expect(remote_data).toEqual(raw)
      return activity
    })
    expect(activities).toEqual(fixture.expected.activities.map((a) => ({ ...a, id: resolveIds(a.id) })))
  })
})
