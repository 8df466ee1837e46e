import type { Message } from "kafkajs"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { Activity } from "../domain/Activity.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { RejectedRecord } from "../providers/mapRecord.ts"

/** A Kafka record bound for one topic. */
export interface OutgoingMessage {
  readonly topic: string
  readonly message: Message
}

type KafkaSettings = ConnectorConfig["kafka"]

const maxReasonChars = 4_096

/** Bytes kept free under the broker's limit for the record's key, headers and batch overhead. */
const recordOverhead = 2_048

const ceSource = (account: IntegratedAccount) => `/integrations/${account.integration}/accounts/${account.id}`

/** CloudEvents Kafka protocol binding, binary mode: attributes as `ce_` headers, the data as the value. */
const activityHeaders = (account: IntegratedAccount, activity: Activity) => ({
  ce_specversion: "1.0",
  ce_id: activity.id,
  ce_source: ceSource(account),
  ce_type: `com.siem-connector.user-directory.activity.${activity.action ?? "unknown"}`,
  ce_time: activity.created_at,
  "content-type": "application/json",
  integration: account.integration,
  integrated_account_id: account.id,
  action: activity.action ?? "",
})

/**
 * The Activity as published: `remote_data` kept, dropped, or capped by config; and when the whole record would
 * exceed what the broker accepts, `remote_data` is replaced by a marker. Undefined when even that does not fit.
 */
export const encodeActivity = (activity: Activity, kafka: KafkaSettings): string | undefined => {
  const { remote_data, ...rest } = activity
  const limit = kafka.max_message_bytes - recordOverhead
  if (!kafka.remote_data.include || remote_data === undefined) {
    const bare = JSON.stringify(rest)
    return Buffer.byteLength(bare) <= limit ? bare : undefined
  }
  const full = JSON.stringify(activity)
  const fullBytes = Buffer.byteLength(full)
  // remote_data's own size is only needed when there is a cap to check or a marker to write.
  const remoteBytes = () => Buffer.byteLength(JSON.stringify(remote_data))
  const withinCap = kafka.remote_data.max_bytes === undefined || remoteBytes() <= kafka.remote_data.max_bytes
  if (withinCap && fullBytes <= limit) return full
  const trimmed = JSON.stringify({
    ...rest,
    remote_data: { _truncated: true, _original_bytes: remoteBytes() },
  })
  return Buffer.byteLength(trimmed) <= limit ? trimmed : undefined
}

export const deadLetterMessage = (
  account: IntegratedAccount,
  rejected: RejectedRecord,
  kafka: KafkaSettings,
): OutgoingMessage => {
  const envelope = {
    integrated_account_id: account.id,
    integration: account.integration,
    stage: rejected.stage,
    // Schema errors quote the value they rejected: a huge record would make a huge reason.
    reason:
      rejected.reason.length > maxReasonChars
        ? `${rejected.reason.slice(0, maxReasonChars)}… (truncated)`
        : rejected.reason,
    dead_lettered_at: new Date().toISOString(),
  }
  let value = JSON.stringify({ ...envelope, raw: rejected.raw })
  if (Buffer.byteLength(value) > kafka.max_message_bytes - recordOverhead) {
    value = JSON.stringify({
      ...envelope,
      raw: { _truncated: true, _original_bytes: Buffer.byteLength(JSON.stringify(rejected.raw) ?? "") },
    })
  }
  return {
    topic: kafka.topics.dead_letter,
    message: {
      key: account.id,
      value,
      headers: {
        "content-type": "application/json",
        integration: account.integration,
        integrated_account_id: account.id,
        error_stage: rejected.stage,
      },
    },
  }
}

/**
 * Routes one Activity: every one to the activities topic, `login_failed` also to its alerting topic. Keyed by
 * the integrated account so each account's events keep their order. Timestamped with the activity's time: the
 * topics the connector creates replace it with the broker's append time (LogAppendTime), so it only shows on
 * a CreateTime topic an operator chose, where the start check guarantees retention does not delete it.
 */
export const routeActivity = (
  account: IntegratedAccount,
  activity: Activity,
  kafka: KafkaSettings,
): ReadonlyArray<OutgoingMessage> => {
  const value = encodeActivity(activity, kafka)
  if (value === undefined) {
    return [
      deadLetterMessage(
        account,
        {
          raw: activity.remote_data,
          stage: "map",
          reason: `activity ${activity.id} exceeds max_message_bytes`,
        },
        kafka,
      ),
    ]
  }
  const message = {
    key: account.id,
    value,
    timestamp: String(Date.parse(activity.created_at)),
    headers: activityHeaders(account, activity),
  }
  const routed: OutgoingMessage[] = [{ topic: kafka.topics.activities, message }]
  if (activity.action === "login_failed") routed.push({ topic: kafka.topics.login_failed, message })
  return routed
}
