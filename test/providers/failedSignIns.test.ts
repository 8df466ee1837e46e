import { readFileSync } from "node:fs"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { providers } from "../../src/providers/registry.ts"

// The "Failed sign-ins" table of docs/records.md against the code: each row's fixture (a provider-documented failed
// sign-in under test/fixtures/<integration>/failed_sign_in/) through the production mapping and routing gives
// the row's action and lands on the row's topic. No broker.

interface Row {
  readonly integration: string
  readonly event: string
  readonly fixture: string
  readonly action: string
  readonly topic: string
}

const records = readFileSync(new URL("../../docs/records.md", import.meta.url), "utf8")
const start = records.indexOf("## Failed sign-ins")
const section = records.slice(start, records.indexOf("\n## ", start + 1))
const cells = (line: string) =>
  line
    .split("|")
    .slice(1, -1)
    .map((cell) => cell.trim().replace(/^`(.*)`$/, "$1"))
const rows: Row[] = section
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| integration"))
  .map(cells)
  .map(([integration = "", event = "", fixture = "", action = "", topic = ""]) => ({
    integration,
    event,
    fixture,
    action,
    topic,
  }))

interface FailedSignInFixture {
  readonly source: string
  readonly stream: string
  readonly record: unknown
}

const kafka = Either.getOrThrow(
  parseConfig(
    "failedSignIns.test",
    `server:\n  api_keys: [test-api-key-0123456789]\n  cursor_secret: ${"s".repeat(40)}\naccounts: []\n`,
    {},
  ),
).config.kafka

const accountOf = (integration: string): IntegratedAccount => ({
  id: "8c0b9a4e-2f7d-4c1e-9a55-3f1e0d6b7a21",
  integration,
  baseUrl: new URL("https://provider.example"),
  credentials: undefined as never,
  settings: {},
})

/** A documented failed sign-in, mapped and routed as the pipeline does it. */
const routedFixture = (integration: string, name: string) => {
  const file = new URL(`../fixtures/${integration}/failed_sign_in/${name}.json`, import.meta.url)
  const fixture = JSON.parse(readFileSync(file, "utf8")) as FailedSignInFixture
  const stream = providers[integration as keyof typeof providers].streams.find(
    (s) => s.name === fixture.stream,
  )
  if (stream === undefined) throw new Error(`${integration} has no stream ${fixture.stream}`)
  const account = accountOf(integration)
  const activity = Either.getOrThrow(mapRecord(stream, account, fixture.record))
  const { messages } = routeRecords(
    account,
    [
      {
        stream: stream.name,
        raw: fixture.record,
        mapped: Either.right(activity),
        observedAt: "2026-12-06T00:00:00.000Z",
      },
    ],
    kafka,
  )
  const values = messages.map((m) => JSON.parse(String(m.message.value)) as { sign_in?: unknown })
  return { fixture, activity, messages, values }
}

describe("docs/records.md: Failed sign-ins", () => {
  it("names every integration once or more", () => {
    expect(new Set(rows.map((r) => r.integration))).toEqual(new Set(Object.keys(providers)))
  })

  const mapped = rows.filter((row) => row.fixture !== "—")
  it.each(mapped)("$integration $fixture → $action on $topic", (row) => {
    const { fixture, activity, messages, values } = routedFixture(row.integration, row.fixture)
    expect(fixture.source).toMatch(/https:\/\//)
    expect(activity.action).toBe(row.action)
    const topics = messages.map((m) => m.topic)
    expect(topics).toEqual([kafka.topics.activities, kafka.topics[row.topic as "login_failed"]])
    // What the provider says of the failure travels in both records; the Activity itself (the endpoint's
    // answer) holds no reason or attempted user.
    expect(values.every((value) => typeof value.sign_in === "object")).toBe(true)
    expect(activity).not.toHaveProperty("sign_in")
  })

  // What each provider's documented failure says of itself, as the record carries it in `sign_in`.
  it.each([
    [
      "dropbox",
      "login_fail",
      { reason: "Invalid email or password.", attempted_user: "john_smith@acmecorp.com" },
    ],
    ["okta", "user.session.start.failure", { reason: "INVALID_CREDENTIALS" }],
    ["asana", "user_login_failed", { attempted_user: "homer@springfield.com" }],
    ["browserstack", "failed_to_sign_in", { attempted_user: "ben.lindqvist@acme.example" }],
  ] as const)("%s %s: the reason and the attempted user in sign_in", (integration, name, expected) => {
    expect(routedFixture(integration, name).values[0]?.sign_in).toMatchObject(expected)
  })

  it("an integration without a failed sign-in event says why", () => {
    for (const row of rows.filter((r) => r.fixture === "—")) expect(row.event).toMatch(/^none/)
  })
})
