import { createHash } from "node:crypto"
import { fc, test } from "@fast-check/vitest"
import { Redacted } from "effect"
import type { IHeaders } from "kafkajs"
import { describe, expect, it } from "vitest"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import type { Activity } from "../../src/domain/Activity.ts"
import type { SignInDetail } from "../../src/domain/ActivityRecord.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { publishedSchemas } from "../../src/domain/PublishedSchemas.ts"
import {
  activityRecord,
  deadLetterMessage,
  encodeActivity,
  encodeOcsf,
  type OutgoingMessage,
  ocsfEventType,
  routeActivity,
} from "../../src/pipeline/ActivityMessages.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"

type KafkaSettings = ConnectorConfig["kafka"]

const defaults: KafkaSettings = defaultKafkaSettings
const kafka = (overrides: Partial<KafkaSettings> = {}): KafkaSettings => ({ ...defaults, ...overrides })

const account: IntegratedAccount = {
  id: "6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5d6e",
  integration: "okta",
  baseUrl: new URL("https://acme.okta.com"),
  credentials: { _tag: "Ssws", token: Redacted.make("00not-a-real-token") },
  settings: {},
}

/** The provider's record, as Okta sends it (trimmed): what `remote_data` carries. */
const oktaRecord = (overrides: Record<string, unknown> = {}) => ({
  uuid: "741dc322-cf76-11eb-899c-95a65059493b",
  published: "2025-11-25T19:57:06.123Z",
  eventType: "user.session.start",
  displayMessage: "User login to Okta",
  actor: { id: "00u1abcdEFGHijklm2x7", type: "User", alternateId: "ana.okafor@example.com" },
  client: {
    ipAddress: "198.51.100.23",
    userAgent: {
      rawUserAgent: "Mozilla/5.0 (Macintosh) Chrome/131.0.0.0",
      os: "Mac OS X",
      browser: "CHROME",
    },
    zone: "null",
  },
  outcome: { result: "SUCCESS", reason: null },
  ...overrides,
})

const activity = (overrides: Partial<Activity> = {}): Activity => ({
  id: "741dc322-cf76-11eb-899c-95a65059493b",
  actor: { type: "user", user: { id: "00u1abcdEFGHijklm2x7" } },
  action: "login",
  context: {
    ip_address: "198.51.100.23",
    user_agent: "Mozilla/5.0 (Macintosh) Chrome/131.0.0.0",
    authentication_method: "PASSWORD",
  },
  created_at: "2025-11-25T19:57:06.123Z",
  remote_data: oktaRecord(),
  ...overrides,
})

/** When the page the records came from was fetched. */
const observedAt = "2025-11-25T20:00:00.000Z"
const envelope = {
  integrated_account_id: account.id,
  integration: "okta",
  observed_at: observedAt,
  schema_version: "1.0.0",
}
/** sha256(ce_source + "\n" + ce_id), hex: computed here from docs/records.md's definition, not the code's. */
const expectedDedupeKey = (id: string) =>
  createHash("sha256").update(`/integrations/okta/accounts/${account.id}\n${id}`).digest("hex")
/** The value published for an Activity: its fields, the envelope, the dedupe key. */
const asPublished = <A extends { id: string }>(fields: A) => ({
  ...fields,
  ...envelope,
  dedupe_key: expectedDedupeKey(fields.id),
})

const bytes = (text: string) => Buffer.byteLength(text)
const parsedValue = (routed: OutgoingMessage) => JSON.parse(String(routed.message.value))
/** What the broker counts against message.max.bytes for one record: key, value and headers. */
const recordBytes = ({ message }: OutgoingMessage) =>
  bytes(String(message.key ?? "")) +
  bytes(String(message.value ?? "")) +
  Object.entries(message.headers ?? {}).reduce((sum, [k, v]) => sum + bytes(k) + bytes(String(v)), 0)

describe("Kafka settings decoded from a minimal config", () => {
  it("keep remote_data whole and allow the broker's default message size", () => {
    expect(defaults.remote_data).toEqual({ include: true })
    expect(defaults.max_message_bytes).toBe(1_000_000)
    expect(defaults.topics.activities).not.toBe(defaults.topics.login_failed)
  })
})

describe("routeActivity", () => {
  it("sends a login to the activities topic only, keyed by account, timestamped with created_at, with CloudEvents headers", () => {
    const login = activity()
    const routed = routeActivity(account, login, observedAt, kafka())
    expect(routed.map((r) => r.topic)).toEqual([defaults.topics.activities])
    const [only] = routed as [OutgoingMessage]
    expect(only.message.key).toBe(account.id)
    expect(only.message.timestamp).toBe(String(Date.UTC(2025, 10, 25, 19, 57, 6, 123)))
    expect(only.message.headers).toEqual({
      ce_specversion: "1.0",
      ce_id: login.id,
      ce_source: `/integrations/okta/accounts/${account.id}`,
      ce_type: expect.stringMatching(/\.login$/),
      ce_time: "2025-11-25T19:57:06.123Z",
      ce_dataschema: "urn:siem-connector:schemas/v1/activity.json",
      "content-type": "application/json",
      integration: "okta",
      integrated_account_id: account.id,
      action: "login",
      dedupe_key: expectedDedupeKey(login.id),
    })
    // Kafka header values travel as bytes: each one must be a string, never undefined or an object.
    for (const value of Object.values(only.message.headers as IHeaders)) expect(typeof value).toBe("string")
    // The value is the Activity itself, remote_data included, with the envelope and the dedupe key.
    expect(parsedValue(only)).toEqual(asPublished(login))
  })

  it("sends a login_failed to the activities topic and to the login_failed topic, as the same record", () => {
    const failed = activity({
      action: "login_failed",
      context: { ip_address: "192.0.2.66", user_agent: "python-requests/2.32.3" },
      remote_data: oktaRecord({ outcome: { result: "FAILURE", reason: "INVALID_CREDENTIALS" } }),
    })
    const routed = routeActivity(account, failed, observedAt, kafka())
    expect(routed.map((r) => r.topic)).toEqual([defaults.topics.activities, defaults.topics.login_failed])
    const [toActivities, toAlerts] = routed as [OutgoingMessage, OutgoingMessage]
    // The same record; only the schema it is published under names the topic's.
    const { headers: alertHeaders, ...alert } = toAlerts.message
    const { headers: activityHeaders, ...sameRecord } = toActivities.message
    expect(alert).toEqual(sameRecord)
    expect(alertHeaders).toEqual({
      ...activityHeaders,
      ce_dataschema: "urn:siem-connector:schemas/v1/login-failed.json",
    })
    expect(toAlerts.message.key).toBe(account.id)
    expect(toAlerts.message.headers).toMatchObject({
      ce_id: failed.id,
      ce_type: expect.stringMatching(/\.login_failed$/),
      action: "login_failed",
    })
    expect(parsedValue(toAlerts)).toEqual(asPublished(failed))
  })

  it("routes every other action, unified or raw, to the activities topic only", () => {
    for (const action of ["login", "logout", "user_created", "user_deleted", "user.lifecycle.activate"]) {
      const routed = routeActivity(account, activity({ action }), observedAt, kafka())
      expect([action, routed.map((r) => r.topic)]).toEqual([action, [defaults.topics.activities]])
      expect(routed[0]?.message.headers).toMatchObject({ action, ce_type: expect.stringContaining(action) })
    }
  })

  it("gives an activity without an action an `unknown` CloudEvents type and an empty action header", () => {
    const { action: _, ...withoutAction } = activity()
    const [only] = routeActivity(account, withoutAction, observedAt, kafka())
    expect(only?.message.headers).toMatchObject({ ce_type: expect.stringMatching(/\.unknown$/), action: "" })
  })

  it("uses the configured topic names", () => {
    const topics = {
      activities: "acme.activities",
      login_failed: "acme.alerts",
      dead_letter: "acme.dlq",
      checkpoints: "acme.checkpoints",
      ocsf: "acme.ocsf",
    }
    const routed = routeActivity(account, activity({ action: "login_failed" }), observedAt, kafka({ topics }))
    expect(routed.map((r) => r.topic)).toEqual(["acme.activities", "acme.alerts"])
    const hugeAgent = activity({ context: { user_agent: "A".repeat(20_000) } })
    const tooBig = routeActivity(account, hugeAgent, observedAt, kafka({ topics, max_message_bytes: 16_384 }))
    expect(tooBig.map((r) => r.topic)).toEqual(["acme.dlq"])
  })
})

describe("remote_data settings", () => {
  it("`include: false` drops remote_data and keeps every other field", () => {
    const login = activity()
    const { remote_data: _, ...rest } = login
    const settings = kafka({ remote_data: { include: false } })
    const [only] = routeActivity(account, login, observedAt, settings)
    const published = parsedValue(only as OutgoingMessage)
    expect(published).not.toHaveProperty("remote_data")
    expect(published).toEqual(asPublished(rest))
    expect(JSON.parse(encodeActivity(activityRecord(account, login, observedAt), settings) ?? "")).toEqual(
      asPublished(rest),
    )
  })

  it("`max_bytes` replaces an over-cap remote_data with the _truncated marker and its size, keeping every other field", () => {
    const login = activity({
      remote_data: oktaRecord({
        debugContext: { debugData: { requestUri: `/api/v1/authn?${"q".repeat(5_000)}` } },
      }),
    })
    const { remote_data, ...rest } = login
    const remoteBytes = bytes(JSON.stringify(remote_data))
    const settings = kafka({ remote_data: { include: true, max_bytes: 4_096 } })
    expect(remoteBytes).toBeGreaterThan(4_096)

    const published = JSON.parse(
      encodeActivity(activityRecord(account, login, observedAt), settings) ?? "null",
    )
    expect(published).toEqual({
      ...asPublished(rest),
      remote_data: { _truncated: true, _original_bytes: remoteBytes },
    })
    // The same through routing: still published, not dead-lettered.
    const routed = routeActivity(account, login, observedAt, settings)
    expect(routed.map((r) => r.topic)).toEqual([defaults.topics.activities])
    expect(parsedValue(routed[0] as OutgoingMessage)).toEqual(published)
  })

  it("`max_bytes` keeps a remote_data at or under the cap whole (the cap is inclusive)", () => {
    const login = activity()
    const remoteBytes = bytes(JSON.stringify(login.remote_data))
    for (const max_bytes of [remoteBytes, remoteBytes + 1, 100_000]) {
      const published = JSON.parse(
        encodeActivity(
          activityRecord(account, login, observedAt),
          kafka({ remote_data: { include: true, max_bytes } }),
        ) ?? "",
      )
      expect(published).toEqual(asPublished(login))
    }
    const oneOver = JSON.parse(
      encodeActivity(
        activityRecord(account, login, observedAt),
        kafka({ remote_data: { include: true, max_bytes: remoteBytes - 1 } }),
      ) ?? "",
    )
    expect(oneOver.remote_data).toEqual({ _truncated: true, _original_bytes: remoteBytes })
  })
})

describe("max_message_bytes", () => {
  const maxMessageBytes = 16_384
  /** An Okta record whose debugData alone is `size` bytes: big, but only in remote_data. */
  const bigRemote = (size: number) =>
    activity({
      remote_data: oktaRecord({ debugContext: { debugData: { threatSuspected: "x".repeat(size) } } }),
    })

  it("publishes a record that fits, remote_data whole", () => {
    const login = bigRemote(8_000)
    const routed = routeActivity(account, login, observedAt, kafka({ max_message_bytes: maxMessageBytes }))
    expect(routed.map((r) => r.topic)).toEqual([defaults.topics.activities])
    expect(parsedValue(routed[0] as OutgoingMessage)).toEqual(asPublished(login))
  })

  it("trims remote_data to the marker when the whole record would exceed it, keeping every other field", () => {
    const login = bigRemote(20_000)
    const { remote_data, ...rest } = login
    const settings = kafka({ max_message_bytes: maxMessageBytes })
    expect(bytes(JSON.stringify(login))).toBeGreaterThan(maxMessageBytes)

    const routed = routeActivity(account, login, observedAt, settings)
    expect(routed.map((r) => r.topic)).toEqual([defaults.topics.activities])
    const [only] = routed as [OutgoingMessage]
    expect(parsedValue(only)).toEqual({
      ...asPublished(rest),
      remote_data: { _truncated: true, _original_bytes: bytes(JSON.stringify(remote_data)) },
    })
    // Key, value and headers together stay within what the broker accepts.
    expect(recordBytes(only)).toBeLessThanOrEqual(maxMessageBytes)
  })

  it("also trims when remote_data is within max_bytes but the record is not within max_message_bytes", () => {
    const login = bigRemote(20_000)
    const settings = kafka({
      max_message_bytes: maxMessageBytes,
      remote_data: { include: true, max_bytes: 1_000_000 },
    })
    expect(
      JSON.parse(encodeActivity(activityRecord(account, login, observedAt), settings) ?? "").remote_data,
    ).toMatchObject({ _truncated: true })
  })

  it("dead-letters a record that cannot fit even without remote_data, with the reason, and publishes nothing else", () => {
    const hugeAgent = `Mozilla/5.0 ${"A".repeat(20_000)}`
    const raw = oktaRecord({
      outcome: { result: "FAILURE", reason: "INVALID_CREDENTIALS" },
      client: { ipAddress: "192.0.2.66", userAgent: { rawUserAgent: hugeAgent } },
    })
    const failed = activity({
      action: "login_failed",
      context: { ip_address: "192.0.2.66", user_agent: hugeAgent },
      remote_data: raw,
    })
    for (const remote_data of [{ include: true }, { include: false }]) {
      const settings = kafka({ max_message_bytes: maxMessageBytes, remote_data })
      expect(encodeActivity(activityRecord(account, failed, observedAt), settings)).toBeUndefined()
      const routed = routeActivity(account, failed, observedAt, settings)
      // Not on the activities topic, not on the alerting topic: one dead letter.
      expect(routed.map((r) => r.topic)).toEqual([defaults.topics.dead_letter])
      const [dead] = routed as [OutgoingMessage]
      expect(dead.message.key).toBe(account.id)
      expect(dead.message.headers).toMatchObject({ error_stage: "map", integrated_account_id: account.id })
      const letter = parsedValue(dead)
      expect(letter).toMatchObject({ integrated_account_id: account.id, integration: "okta", stage: "map" })
      expect(letter.reason).toContain(failed.id)
      expect(letter.reason).toContain("max_message_bytes")
      // The raw record is itself too big to carry: replaced by the marker, so the dead letter is deliverable.
      expect(letter.raw).toMatchObject({ _truncated: true })
      expect(recordBytes(dead)).toBeLessThanOrEqual(maxMessageBytes)
    }
  })
})

describe("deadLetterMessage", () => {
  const rejected = {
    raw: { published: "2025-11-25T19:57:06.123Z", eventType: "user.session.start" },
    stage: "decode" as const,
    reason: 'OktaLogEvent\n└─ ["uuid"]\n   └─ is missing',
  }

  it("carries the raw record, the reason, the stage, the account and the integration", () => {
    const before = Date.now()
    const dead = deadLetterMessage(account, rejected, observedAt, kafka())
    const after = Date.now()
    expect(dead.topic).toBe(defaults.topics.dead_letter)
    expect(dead.message.key).toBe(account.id)
    expect(dead.message.headers).toEqual({
      "content-type": "application/json",
      ce_dataschema: "urn:siem-connector:schemas/v1/dead-letter.json",
      integration: "okta",
      integrated_account_id: account.id,
      error_stage: "decode",
    })
    const letter = parsedValue(dead)
    expect(letter).toEqual({
      ...envelope,
      stage: "decode",
      reason: rejected.reason,
      dead_lettered_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      raw: rejected.raw,
    })
    const at = Date.parse(letter.dead_lettered_at)
    expect(at).toBeGreaterThanOrEqual(before)
    expect(at).toBeLessThanOrEqual(after)
  })

  it("keeps a raw record that is not JSON-object shaped as it was", () => {
    for (const raw of ["a string", 42, null, [1, 2]]) {
      expect(parsedValue(deadLetterMessage(account, { ...rejected, raw }, observedAt, kafka())).raw).toEqual(
        raw,
      )
    }
  })

  it("truncates an oversize raw record to the marker, keeping the rest of the envelope", () => {
    const raw = { ...oktaRecord(), debugContext: { debugData: { blob: "z".repeat(30_000) } } }
    const settings = kafka({ max_message_bytes: 16_384 })
    const dead = deadLetterMessage(account, { raw, stage: "map", reason: "too big" }, observedAt, settings)
    const letter = parsedValue(dead)
    expect(letter).toEqual({
      ...envelope,
      stage: "map",
      reason: "too big",
      dead_lettered_at: expect.any(String),
      raw: { _truncated: true, _original_bytes: expect.any(Number) },
    })
    // The size reported is at least the raw record's own.
    expect(letter.raw._original_bytes).toBeGreaterThanOrEqual(bytes(JSON.stringify(raw)))
    expect(recordBytes(dead)).toBeLessThanOrEqual(16_384)
    // Under a roomier limit the same record travels whole.
    expect(
      parsedValue(deadLetterMessage(account, { raw, stage: "map", reason: "too big" }, observedAt, kafka()))
        .raw,
    ).toEqual(raw)
  })
})

/**
 * What routeActivity published before it wrote the record's JSON without building the record: the record built
 * whole by spreading (activityRecord), serialised by encodeActivity and encodeOcsf, its headers read from it.
 */
const routedBefore = (
  on: IntegratedAccount,
  a: Activity,
  at: string,
  settings: KafkaSettings,
  signIn: SignInDetail | undefined,
) => {
  const record = activityRecord(on, a, at, signIn)
  const value = encodeActivity(record, settings)
  if (value === undefined) return [{ topic: settings.topics.dead_letter }]
  const timestamp = String(Date.parse(a.created_at))
  const headers = {
    ce_specversion: "1.0",
    ce_id: record.id,
    ce_source: `/integrations/${on.integration}/accounts/${on.id}`,
    ce_type: `com.siem-connector.user-directory.activity.${record.action ?? "unknown"}`,
    ce_time: record.created_at,
    ce_dataschema: publishedSchemas.activities.id,
    "content-type": "application/json",
    integration: on.integration,
    integrated_account_id: on.id,
    action: record.action ?? "",
    dedupe_key: record.dedupe_key,
  }
  const message = (topic: string, v: string | undefined, h: Record<string, string>) =>
    v === undefined
      ? { topic: settings.topics.dead_letter }
      : { topic, message: { key: on.id, value: v, timestamp, headers: h } }
  return [
    message(settings.topics.activities, value, headers),
    ...(a.action === "login_failed" || signIn !== undefined
      ? [
          message(settings.topics.login_failed, value, {
            ...headers,
            ce_dataschema: publishedSchemas.login_failed.id,
          }),
        ]
      : []),
    ...(settings.ocsf.enabled
      ? [
          message(settings.topics.ocsf, encodeOcsf(record, settings), {
            ...headers,
            ce_dataschema: publishedSchemas.ocsf.id,
            ce_type: ocsfEventType(record),
          }),
        ]
      : []),
  ]
}

/** A dead letter's time of writing is the clock's: compared by topic only. */
const comparable = (routed: ReadonlyArray<OutgoingMessage | { topic: string }>) =>
  routed.map((m) => ("message" in m && m.topic !== defaults.topics.dead_letter ? m : { topic: m.topic }))

const otherAccount: IntegratedAccount = {
  ...account,
  id: "0b7d3c1a-2e4f-4a6b-8c9d-0e1f2a3b4c5d",
  integration: "zoom",
}

/** Activities of any shape JSON allows, with the record's own keys, integer-like keys and `undefined` among theirs. */
const anyActivity = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        "id",
        "action",
        "created_at",
        "actor",
        "remote_data",
        "integrated_account_id",
        "integration",
        "observed_at",
        "schema_version",
        "dedupe_key",
        "sign_in",
        "0",
        "10",
        "__proto__",
      ),
      fc.string({ maxLength: 6 }),
    ),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.string({ unit: "grapheme" })),
    { maxKeys: 8 },
  )
  .chain((extra) =>
    fc
      .record({
        id: fc.oneof(fc.uuid(), fc.string({ unit: "grapheme", maxLength: 12 })),
        action: fc.option(
          fc.constantFrom("login", "login_failed", "logout", "user_created", "mfa_enrolled"),
          {
            nil: undefined,
          },
        ),
        created_at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        remote_data: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), {
          nil: undefined,
        }),
      })
      // Each way round: the Activity's own fields first, or the generated ones overriding them; or only those.
      .chain((base) => fc.constantFrom({ ...base, ...extra }, { ...extra, ...base }, extra)),
  )
  .map((fields) => fields as unknown as Activity)

const anySignIn = fc.option(
  fc.record({ reason: fc.string({ unit: "grapheme" }), attempted_user: fc.string() }, { requiredKeys: [] }),
  { nil: undefined },
)

const anySettings = fc.constantFrom<KafkaSettings>(
  defaults,
  kafka({ ocsf: { enabled: true } }),
  kafka({ ocsf: { enabled: true }, remote_data: { include: true, max_bytes: 40 } }),
  kafka({ ocsf: { enabled: true }, remote_data: { include: false } }),
  kafka({ ocsf: { enabled: true }, max_message_bytes: 2_400 }),
)

describe("routeActivity writes the record's JSON without building the record", () => {
  test.prop(
    [
      fc.array(
        fc.record({
          activity: anyActivity,
          signIn: anySignIn,
          settings: anySettings,
          // Pages of two accounts and two fetch times interleaved: the envelope kept for a page must be its own.
          on: fc.constantFrom(account, otherAccount),
          at: fc.constantFrom(observedAt, "2025-11-25T20:00:01.000Z"),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    ],
    { numRuns: 2_000 },
  )("as it did when it built the record whole and serialised it, message for message", (calls) => {
    // As JSON: the headers' order is part of the bytes published.
    for (const { activity: a, signIn, settings, on, at } of calls)
      expect(JSON.stringify(comparable(routeActivity(on, a, at, settings, signIn)))).toBe(
        JSON.stringify(comparable(routedBefore(on, a, at, settings, signIn))),
      )
  })

  // The reference above serialises with the same code (encodeActivity); this one holds the value to
  // JSON.stringify of the record itself, byte for byte, remote_data included: how the value's JSON is put
  // together (joined, not concatenated) must not show in it.
  test.prop([anyActivity, fc.dictionary(fc.string(), fc.jsonValue()), anySignIn], { numRuns: 1_000 })(
    "publishes JSON.stringify of the whole record as the activity's value, byte for byte",
    (a, remote_data, signIn) => {
      const withRemoteData = { ...a, remote_data } as Activity
      const routed = routeActivity(account, withRemoteData, observedAt, defaults, signIn)
      const published = routed.find((m) => m.topic === defaults.topics.activities)
      expect(published?.message.value).toBe(
        JSON.stringify(activityRecord(account, withRemoteData, observedAt, signIn)),
      )
    },
  )
})
