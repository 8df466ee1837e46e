import { Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { routePage } from "../../src/pipeline/routePage.ts"
import { isFailedAttempt, SignInDenials } from "../../src/providers/okta/failedSignIns.ts"
import { eventGenerator } from "../../src/simulators/okta/eventGenerator.ts"

type KafkaSettings = ConnectorConfig["kafka"]
type Json = Record<string, unknown>

const defaults: KafkaSettings = Either.getOrThrow(
  parseConfig(
    "routePage.test",
    `server:\n  api_keys: [test-api-key-0123456789]\n  cursor_secret: ${"s".repeat(40)}\naccounts: []\n`,
    {},
  ),
).config.kafka
const topics = defaults.topics

const account: IntegratedAccount = {
  id: "0b6e9d1c-3f2a-4c8e-9a7b-5d4e3f2a1b0c",
  integration: "okta",
  baseUrl: new URL("https://acme.okta.com"),
  credentials: { _tag: "Ssws", token: Redacted.make("00not-a-real-token") },
  settings: {},
}

/**
 * A failed sign-in in the shape of Okta's LogEvent reference (developer.okta.com, System Log API): most nested
 * places `null`, `client.zone` the string "null", no credential type or session on a failure.
 */
const documentedFailure: Json = {
  uuid: "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a",
  published: "2025-11-25T08:14:55.123Z",
  eventType: "user.session.start",
  version: "0",
  severity: "WARN",
  legacyEventType: "core.user_auth.login_failed",
  displayMessage: "User login to Okta",
  actor: {
    id: "00uttidj01jqL21aM1d6",
    type: "User",
    alternateId: "john.doe@example.com",
    displayName: "John Doe",
    detailEntry: null,
  },
  client: {
    userAgent: {
      rawUserAgent:
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36",
      os: "Windows 10",
      browser: "CHROME",
    },
    zone: "null",
    device: "Computer",
    id: null,
    ipAddress: "203.0.113.10",
    geographicalContext: {
      city: "New York",
      state: "New York",
      country: "United States",
      postalCode: "10013",
      geolocation: { lat: 40.3157, lon: -74.01 },
    },
  },
  device: null,
  authenticationContext: {
    authenticationProvider: null,
    credentialProvider: null,
    credentialType: null,
    issuer: null,
    interface: null,
    authenticationStep: 0,
    externalSessionId: null,
  },
  outcome: { result: "FAILURE", reason: "INVALID_CREDENTIALS" },
  securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
  debugContext: { debugData: { requestUri: "/api/v1/authn", threatSuspected: "false" } },
  transaction: { type: "WEB", id: "Wn4f9eXyZ0Qb7KkR2sT1uV3wA5c", detail: {} },
  request: { ipChain: [{ ip: "203.0.113.10", geographicalContext: null, version: "V4", source: null }] },
  target: null,
}

type OktaEvent = Parameters<NonNullable<(typeof SignInDenials)[string]>>[0]
/** A failed authentication attempt (`login_failed`), as Okta's mapping decides. */
const isFailedLogin = (record: Json) => isFailedAttempt(record as unknown as OktaEvent)
/** Every record bound for the login_failed topic: the failed attempts and the raw denials (lockout, policy DENY…). */
const isFailedSignIn = (record: Json) =>
  isFailedLogin(record) ||
  (SignInDenials[String(record.eventType)]?.(record as unknown as OktaEvent) ?? false)

const parsed = (message: OutgoingMessage) => JSON.parse(String(message.message.value))

/** Generated events (a history with its failed-sign-in bursts, then a live burst), in provider order. */
const generated = () => {
  const generator = eventGenerator(23)
  const now = Date.parse("2025-11-25T12:00:00.000Z")
  return [
    ...generator.history(40, now - 60_000, 6 * 60 * 60 * 1000).map(({ event }) => event),
    ...generator.burst(12, now),
  ]
}

describe("routePage", () => {
  it("publishes good records and dead-letters bad ones, with the right counts and messages in provider order", () => {
    const good = generated()
    const [first, second] = good as [Json, Json]
    const { uuid: _, ...missingUuid } = first
    // 30 February: a date JavaScript would roll over to March; no real event carries it.
    const impossiblePublished = {
      ...second,
      uuid: "00000000-0000-11f0-8000-000000000001",
      published: "2025-02-30T10:00:00.000Z",
    }
    const page: Json[] = [
      ...good.slice(0, 10),
      missingUuid,
      ...good.slice(10, 25),
      documentedFailure,
      impossiblePublished,
      ...good.slice(25),
    ]
    const goodRecords = page.filter((record) => record !== missingUuid && record !== impossiblePublished)
    expect(goodRecords.filter(isFailedSignIn).length).toBeGreaterThanOrEqual(4)

    const observedAt = "2025-11-25T09:00:00.000Z"
    const { messages, published, deadLettered } = routePage(account, page, defaults, observedAt)

    expect(published).toBe(page.length - 2)
    expect(deadLettered).toBe(2)

    // The expected stream, derived from the page alone: each record's messages where the record stands.
    const expected = page.flatMap((record): Array<[string, unknown]> => {
      if (record === missingUuid) return [[topics.dead_letter, "decode"]]
      if (record === impossiblePublished) return [[topics.dead_letter, "map"]]
      return isFailedSignIn(record)
        ? [
            [topics.activities, record.uuid],
            [topics.login_failed, record.uuid],
          ]
        : [[topics.activities, record.uuid]]
    })
    expect(
      messages.map((m): [string, unknown] => [
        m.topic,
        m.topic === topics.dead_letter ? parsed(m).stage : parsed(m).id,
      ]),
    ).toEqual(expected)
    expect(messages.every((m) => m.message.key === account.id)).toBe(true)

    // Every published activity carries its own provider record as remote_data, and its action.
    const activities = messages.filter((m) => m.topic === topics.activities).map(parsed)
    expect(activities.map((a) => a.remote_data)).toEqual(goodRecords)
    expect(activities.filter((a) => a.action === "login_failed").map((a) => a.id)).toEqual(
      goodRecords.filter(isFailedLogin).map((r) => r.uuid),
    )
    const documented = activities.find((a) => a.id === documentedFailure.uuid)
    expect(documented).toEqual({
      id: documentedFailure.uuid,
      actor: { type: "user", user: { id: "00uttidj01jqL21aM1d6" } },
      action: "login_failed",
      context: {
        ip_address: "203.0.113.10",
        user_agent:
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36",
      },
      created_at: "2025-11-25T08:14:55.123Z",
      remote_data: documentedFailure,
      integrated_account_id: account.id,
      integration: "okta",
      observed_at: observedAt,
      schema_version: "1.0.0",
      dedupe_key: expect.stringMatching(/^[0-9a-f]{64}$/),
      // Okta's outcome reason and the name that was tried, from the documented failure.
      sign_in: { reason: "INVALID_CREDENTIALS", attempted_user: "john.doe@example.com" },
    })

    // The dead letters say why, and carry the record as the provider sent it.
    const [noUuid, badDate] = messages.filter((m) => m.topic === topics.dead_letter).map(parsed)
    expect(noUuid).toMatchObject({
      stage: "decode",
      raw: missingUuid,
      integrated_account_id: account.id,
      observed_at: observedAt,
    })
    expect(noUuid.reason).toContain("uuid")
    expect(badDate).toMatchObject({ stage: "map", raw: impossiblePublished, integration: "okta" })
    expect(badDate.reason).toContain("2025-02-30T10:00:00.000Z")
  })

  it("counts a record too large to publish as dead-lettered, not published", () => {
    const [big, ...rest] = generated().slice(0, 6) as [Json, ...Json[]]
    const hugeAgent = `Mozilla/5.0 ${"A".repeat(40_000)}`
    const oversized = { ...big, client: { ...(big.client as Json), userAgent: { rawUserAgent: hugeAgent } } }
    const settings = { ...defaults, max_message_bytes: 32_768, remote_data: { include: false } }

    const { messages, published, deadLettered } = routePage(account, [...rest, oversized], settings)

    expect({ published, deadLettered }).toEqual({ published: rest.length, deadLettered: 1 })
    const last = messages.at(-1) as OutgoingMessage
    expect(last.topic).toBe(topics.dead_letter)
    expect(parsed(last).reason).toContain(String(big.uuid))
    expect(messages.filter((m) => m.topic === topics.activities).map((m) => parsed(m).id)).toEqual(
      rest.map((r) => r.uuid),
    )
    // remote_data was dropped by config from every published activity.
    for (const m of messages.filter((m) => m.topic === topics.activities)) {
      expect(parsed(m)).not.toHaveProperty("remote_data")
    }
  })

  it("an empty page yields nothing", () => {
    expect(routePage(account, [], defaults)).toEqual({
      messages: [],
      published: 0,
      deadLettered: 0,
      newestByStream: {},
    })
  })

  it("a page of only bad records publishes nothing and dead-letters each, in order", () => {
    const page = [null, "not an event", { uuid: "" }, { ...documentedFailure, published: "yesterday" }]
    const { messages, published, deadLettered } = routePage(account, page, defaults)
    expect({ published, deadLettered }).toEqual({ published: 0, deadLettered: 4 })
    expect(messages.map((m) => m.topic)).toEqual(page.map(() => topics.dead_letter))
    expect(messages.map((m) => parsed(m).raw)).toEqual(page)
    expect(messages.map((m) => parsed(m).stage)).toEqual(["decode", "decode", "decode", "map"])
  })
})
