import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityRecord, SignInDetail } from "../domain/ActivityRecord.ts"
import type { DeadLetterRecord } from "../domain/DeadLetterRecord.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { publishedSchemas } from "../domain/PublishedSchemas.ts"
import { dedupeKey, envelopeOf, recordSource } from "../domain/RecordEnvelope.ts"
import { classify, toOcsf } from "../ocsf/toOcsf.ts"
import type { RejectedRecord } from "../providers/mapRecord.ts"

/** A Kafka record as the pipeline writes it; the Kafka client's adapter translates it for its client. */
export interface OutgoingRecord {
  readonly key: string
  readonly value: string
  /** Only where the partition is not the key's hash: a checkpoint goes to its shard's partition. */
  readonly partition?: number
  /** Milliseconds since the epoch, as text. */
  readonly timestamp?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** A Kafka record bound for one topic. */
export interface OutgoingMessage {
  readonly topic: string
  readonly message: OutgoingRecord
}

type KafkaSettings = ConnectorConfig["kafka"]

const maxReasonChars = 4_096

/** Bytes kept free under the broker's limit for the record's key, headers and batch overhead. */
const recordOverhead = 2_048

/**
 * The record of an Activity read for `account` from a page fetched at `observedAt`: the Activity's fields as
 * the endpoint returns them, then the envelope and the dedupe key, then `remote_data` (last, being the bulk).
 */
export const activityRecord = (
  account: IntegratedAccount,
  activity: Activity,
  observedAt: string,
  signIn?: SignInDetail,
): ActivityRecord => {
  const { remote_data, fields } = recordParts(account, activity, observedAt, signIn)
  return remote_data === undefined ? fields : { ...fields, remote_data }
}

type RecordFields = Omit<ActivityRecord, "remote_data">
type ActivityFields = Omit<Activity, "remote_data">

/** The record's fields but `remote_data`, in the record's order: the Activity's, the envelope, the dedupe key. */
const recordFields = (
  account: IntegratedAccount,
  fields: ActivityFields,
  observedAt: string,
  dedupe: string,
  signIn: SignInDetail | undefined,
): RecordFields => ({
  ...fields,
  ...envelopeOf(account, observedAt),
  dedupe_key: dedupe,
  ...(signIn === undefined ? {} : { sign_in: signIn }),
})

/** The record's fields but `remote_data`, and `remote_data` apart: routing serialises them apart. */
const recordParts = (
  account: IntegratedAccount,
  activity: Activity,
  observedAt: string,
  signIn: SignInDetail | undefined,
): { readonly fields: RecordFields; readonly remote_data: ActivityRecord["remote_data"] | undefined } => {
  const { remote_data, ...fields } = activity
  return {
    fields: recordFields(account, fields, observedAt, dedupeKey(account, activity.id), signIn),
    remote_data: remote_data as ActivityRecord["remote_data"] | undefined,
  }
}

/** The keys the record adds after the Activity's own. */
const recordKeys = [
  "integrated_account_id",
  "integration",
  "observed_at",
  "schema_version",
  "dedupe_key",
  "sign_in",
] as const

/**
 * The envelope's JSON members (no braces) for an account's page fetched at `observedAt`, kept for the next
 * record: a page's records share both, so the envelope is serialised once a page rather than once a record.
 */
let lastEnvelope:
  | { readonly account: IntegratedAccount; readonly observedAt: string; readonly json: string }
  | undefined
const envelopeMembers = (account: IntegratedAccount, observedAt: string): string => {
  if (
    lastEnvelope !== undefined &&
    lastEnvelope.account === account &&
    lastEnvelope.observedAt === observedAt
  )
    return lastEnvelope.json
  const json = JSON.stringify(envelopeOf(account, observedAt)).slice(1, -1)
  lastEnvelope = { account, observedAt, json }
  return json
}

/**
 * `JSON.stringify(recordFields(…))` without building the record: the Activity's JSON with the envelope (JSON
 * made once a page), the dedupe key and `sign_in` appended, which is where the spread puts them. Undefined when
 * the Activity has a key of the record's own, which the spread would overwrite in place instead.
 */
const recordFieldsJson = (
  account: IntegratedAccount,
  fields: ActivityFields,
  observedAt: string,
  dedupe: string,
  signIn: SignInDetail | undefined,
): string | undefined => {
  for (const key of recordKeys) if (key in fields) return undefined
  const own = JSON.stringify(fields)
  const signInJson = signIn === undefined ? "" : `,"sign_in":${JSON.stringify(signIn)}`
  // The dedupe key is lowercase hex: nothing in it to escape.
  const added = `${envelopeMembers(account, observedAt)},"dedupe_key":"${dedupe}"${signInJson}}`
  return own === "{}" ? `{${added}` : `${own.slice(0, -1)},${added}`
}

/** CloudEvents Kafka protocol binding, binary mode: attributes as `ce_` headers, the data as the value. */
const activityHeaders = (
  account: IntegratedAccount,
  activity: Pick<Activity, "id" | "action" | "created_at">,
  dedupe: string,
  dataschema: string,
) => ({
  ce_specversion: "1.0",
  ce_id: activity.id,
  ce_source: sourceOf(account),
  ce_type: `com.siem-connector.user-directory.activity.${activity.action ?? "unknown"}`,
  ce_time: activity.created_at,
  ce_dataschema: dataschema,
  "content-type": "application/json",
  integration: account.integration,
  integrated_account_id: account.id,
  action: activity.action ?? "",
  dedupe_key: dedupe,
})

/**
 * An account's CloudEvents source, made once per account object rather than once per message: a page of
 * 1,000 records would otherwise build the same string 1,000 to 3,000 times.
 */
const sources = new WeakMap<IntegratedAccount, string>()
const sourceOf = (account: IntegratedAccount) => {
  let source = sources.get(account)
  if (source === undefined) {
    source = recordSource(account)
    sources.set(account, source)
  }
  return source
}

/**
 * The record as JSON with `remote_data` given already serialised: the same text as `JSON.stringify(record)`
 * (remote_data is the record's last key), without serialising the bulk of the record a second time.
 */
const withRemote = (restJson: string, remoteJson: string) =>
  restJson === "{}"
    ? `{"remote_data":${remoteJson}}`
    : `${restJson.slice(0, -1)},"remote_data":${remoteJson}}`

/**
 * The record as published: `remote_data` kept, dropped, or capped by config; and when the whole record would
 * exceed what the broker accepts, `remote_data` is replaced by a marker. Undefined when even that does not fit.
 */
export const encodeActivity = (
  record: ActivityRecord,
  kafka: KafkaSettings,
  /** `remote_data` as JSON, when the caller has it: serialised once for the activity and the OCSF event. */
  remoteJson?: string,
): string | undefined => {
  const { remote_data, ...rest } = record
  return encodeParts(JSON.stringify(rest), remote_data, kafka, remoteJson)
}

/**
 * Whether `text` is within `limit` bytes of UTF-8. A UTF-16 code unit takes at most 3 bytes, so most texts are
 * known to fit from their length alone, without counting their bytes.
 */
const fitsIn = (text: string, limit: number) => text.length * 3 <= limit || Buffer.byteLength(text) <= limit

/** encodeActivity of a record given as the JSON of its other fields and its `remote_data`. */
const encodeParts = (
  restJson: string,
  remote_data: ActivityRecord["remote_data"] | undefined,
  kafka: KafkaSettings,
  remoteJson: string | undefined,
): string | undefined => {
  const limit = kafka.max_message_bytes - recordOverhead
  if (!kafka.remote_data.include || remote_data === undefined)
    return fitsIn(restJson, limit) ? restJson : undefined
  const remote = remoteJson ?? JSON.stringify(remote_data)
  const full = withRemote(restJson, remote)
  // remote_data's own size is only needed when there is a cap to check or a marker to write.
  const remoteBytes = () => Buffer.byteLength(remote)
  const withinCap = kafka.remote_data.max_bytes === undefined || remoteBytes() <= kafka.remote_data.max_bytes
  if (withinCap && fitsIn(full, limit)) return full
  const trimmed = withRemote(restJson, JSON.stringify({ _truncated: true, _original_bytes: remoteBytes() }))
  return fitsIn(trimmed, limit) ? trimmed : undefined
}

/**
 * The record's OCSF event as published: `raw_data` under the same rule as `remote_data` (kept, dropped, or over
 * its cap or the message limit left out with `metadata.is_truncated`). Undefined when even that does not fit.
 */
export const encodeOcsf = (
  record: ActivityRecord,
  kafka: KafkaSettings,
  remoteJson?: string,
): string | undefined => {
  const { remote_data, ...rest } = record
  const limit = kafka.max_message_bytes - recordOverhead
  const fits = (text: string) => Buffer.byteLength(text) <= limit
  const bare = toOcsf(rest)
  if (!kafka.remote_data.include || remote_data === undefined) {
    const text = JSON.stringify(bare)
    return fits(text) ? text : undefined
  }
  const remote = remoteJson ?? JSON.stringify(remote_data)
  const rawBytes = Buffer.byteLength(remote)
  const full = JSON.stringify(toOcsf(record, remote))
  if ((kafka.remote_data.max_bytes === undefined || rawBytes <= kafka.remote_data.max_bytes) && fits(full))
    return full
  const trimmed = JSON.stringify({
    ...bare,
    metadata: { ...bare.metadata, is_truncated: true, untruncated_size: rawBytes },
  })
  return fits(trimmed) ? trimmed : undefined
}

/** The CloudEvents type of an OCSF event: its class, e.g. `…ocsf.authentication`, `…ocsf.account_change`. */
export const ocsfEventType = (record: Pick<ActivityRecord, "action" | "sign_in">) =>
  `com.siem-connector.user-directory.ocsf.${classify(record).class}`

export const deadLetterMessage = (
  account: IntegratedAccount,
  rejected: RejectedRecord,
  observedAt: string,
  kafka: KafkaSettings,
): OutgoingMessage => {
  const envelope = {
    ...envelopeOf(account, observedAt),
    stage: rejected.stage,
    // Schema errors quote the value they rejected: a huge record would make a huge reason.
    reason:
      rejected.reason.length > maxReasonChars
        ? `${rejected.reason.slice(0, maxReasonChars)}… (truncated)`
        : rejected.reason,
    dead_lettered_at: new Date().toISOString(),
  }
  let value = JSON.stringify({ ...envelope, raw: rejected.raw } satisfies DeadLetterRecord)
  if (Buffer.byteLength(value) > kafka.max_message_bytes - recordOverhead) {
    value = JSON.stringify({
      ...envelope,
      raw: { _truncated: true, _original_bytes: Buffer.byteLength(JSON.stringify(rejected.raw) ?? "") },
    } satisfies DeadLetterRecord)
  }
  return {
    topic: kafka.topics.dead_letter,
    message: {
      key: account.id,
      value,
      headers: {
        "content-type": "application/json",
        ce_dataschema: publishedSchemas.dead_letter.id,
        integration: account.integration,
        integrated_account_id: account.id,
        error_stage: rejected.stage,
      },
    },
  }
}

/**
 * The Activity's OCSF event, keyed and timestamped as the Activity, with its own ce_type and ce_dataschema; the
 * dedupe key is the Activity's (the event is the same activity, told in OCSF). Dead-lettered if it cannot fit.
 */
const ocsfMessage = (
  account: IntegratedAccount,
  record: ActivityRecord,
  observedAt: string,
  kafka: KafkaSettings,
  remoteJson: string | undefined,
  timestamp: string,
): OutgoingMessage => {
  const value = encodeOcsf(record, kafka, remoteJson)
  if (value === undefined)
    return deadLetterMessage(
      account,
      {
        raw: record.remote_data,
        stage: "map",
        reason: `OCSF event of activity ${record.id} exceeds max_message_bytes`,
      },
      observedAt,
      kafka,
    )
  const headers = activityHeaders(account, record, record.dedupe_key, publishedSchemas.ocsf.id)
  return {
    topic: kafka.topics.ocsf,
    message: {
      key: account.id,
      value,
      timestamp,
      headers: { ...headers, ce_type: ocsfEventType(record) },
    },
  }
}

/**
 * Routes one Activity, read from a page fetched at `observedAt`: every one to the activities topic,
 * `login_failed` also to its alerting topic, with `kafka.ocsf.enabled` every one also as an OCSF event, the same value under the schema of each topic. Keyed by the
 * integrated account so each account's events keep their order. Timestamped with the activity's time: the
 * topics the connector creates replace it with the broker's append time (LogAppendTime), so it only shows on
 * a CreateTime topic an operator chose, where the start check guarantees retention does not delete it.
 */
export const routeActivity = (
  account: IntegratedAccount,
  activity: Activity,
  observedAt: string,
  kafka: KafkaSettings,
  /** Set when the record is a failed sign-in its stream describes (a raw one included): see failedSignIns. */
  signIn?: SignInDetail,
): ReadonlyArray<OutgoingMessage> => {
  const routed: OutgoingMessage[] = []
  routeActivityInto(routed, account, activity, observedAt, kafka, signIn, Date.parse(activity.created_at))
  return routed
}

/**
 * routeActivity, its messages appended to `routed`, with the activity's instant as routeRecords has parsed it
 * already. False when the activity was dead-lettered instead.
 */
export const routeActivityInto = (
  routed: OutgoingMessage[],
  account: IntegratedAccount,
  activity: Activity,
  observedAt: string,
  kafka: KafkaSettings,
  signIn: SignInDetail | undefined,
  createdMs: number,
): boolean => {
  const { remote_data: raw, ...fields } = activity
  const remote_data = raw as ActivityRecord["remote_data"] | undefined
  const dedupe = dedupeKey(account, activity.id)
  // The record's fields are serialised apart from remote_data, and the whole record is built only for OCSF.
  const fieldsJson =
    recordFieldsJson(account, fields, observedAt, dedupe, signIn) ??
    JSON.stringify(recordFields(account, fields, observedAt, dedupe, signIn))
  // Serialised once, for the activity's value and the OCSF event's raw_data alike, only where one needs it.
  const remoteJson =
    kafka.remote_data.include && remote_data !== undefined ? JSON.stringify(remote_data) : undefined
  const value = encodeParts(fieldsJson, remote_data, kafka, remoteJson)
  if (value === undefined) {
    routed.push(
      deadLetterMessage(
        account,
        { raw, stage: "map", reason: `activity ${activity.id} exceeds max_message_bytes` },
        observedAt,
        kafka,
      ),
    )
    return false
  }
  const timestamp = String(createdMs)
  // One header set per record; the login_failed copy differs only in its schema.
  const headers = activityHeaders(account, activity, dedupe, publishedSchemas.activities.id)
  routed.push({ topic: kafka.topics.activities, message: { key: account.id, value, timestamp, headers } })
  if (activity.action === "login_failed" || signIn !== undefined)
    routed.push({
      topic: kafka.topics.login_failed,
      message: {
        key: account.id,
        value,
        timestamp,
        headers: { ...headers, ce_dataschema: publishedSchemas.login_failed.id },
      },
    })
  if (kafka.ocsf.enabled) {
    const record = recordFields(account, fields, observedAt, dedupe, signIn)
    routed.push(
      ocsfMessage(
        account,
        remote_data === undefined ? record : { ...record, remote_data },
        observedAt,
        kafka,
        remoteJson,
        timestamp,
      ),
    )
  }
  return true
}
