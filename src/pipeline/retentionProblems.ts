import { Duration } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { IntegrationName } from "../domain/Integration.ts"
import { registry } from "../providers/registry.ts"

/** A topic's settings that decide when the broker deletes its records, as the broker reports them. */
export interface TopicRetention {
  readonly topic: string
  /** `CreateTime` (the producer's timestamp) or `LogAppendTime` (the broker's clock at append). */
  readonly timestampType: string
  /** -1: never deleted by time. */
  readonly retentionMs: number
  /** `delete`, `compact`, or both. */
  readonly cleanupPolicy: ReadonlyArray<string>
}

export type ConnectorTopics = {
  // The OCSF topic (opt-in, LogAppendTime when the connector creates it) is not checked.
  readonly [Role in Exclude<keyof ConnectorConfig["kafka"]["topics"], "ocsf">]: TopicRetention
}

/** Where an account's publishing starts: its `start_from` for the live stream, or a backfill's start. */
export interface PublishStart {
  readonly accountId: string
  readonly integration: IntegrationName
  /** `now`, `earliest` or an ISO-8601 instant. */
  readonly from: string
  /** How it was asked for, for the message: `start_from: earliest`, `backfill --since 2026-…`. */
  readonly via: string
  /** How far back the provider keeps activity; undefined = unknown. */
  readonly historyRetentionMs: number | undefined
}

/** An account's start, with what its provider declares about how long it keeps activity. */
export const publishStart = (account: IntegratedAccount, from: string, via: string): PublishStart => {
  const retention = registry.lookup(account.integration)?.historyRetention
  return {
    accountId: account.id,
    integration: account.integration,
    from,
    via,
    historyRetentionMs: retention === undefined ? undefined : Duration.toMillis(retention),
  }
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** `7d`, `36h`, `90m`, `45s` or `250ms`: the largest unit that divides the value. */
export const formatMs = (ms: number): string => {
  if (ms < 0) return "infinite"
  const units: ReadonlyArray<readonly [string, number]> = [
    ["d", DAY_MS],
    ["h", HOUR_MS],
    ["m", 60_000],
    ["s", 1000],
  ]
  const unit = units.find(([, size]) => ms > 0 && ms % size === 0)
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`
}

/**
 * The oldest `created_at` a start can publish: `now` publishes only new activity; `earliest` reaches as far
 * back as the provider keeps (no bound when that is unknown); an instant is clamped to what the provider keeps.
 * Undefined = unbounded.
 */
export const oldestCreatedAt = (start: PublishStart, now: number): number | undefined => {
  const kept = start.historyRetentionMs === undefined ? undefined : now - start.historyRetentionMs
  if (start.from === "now") return now
  if (start.from === "earliest") return kept
  const instant = Date.parse(start.from)
  return kept === undefined ? instant : Math.max(instant, kept)
}

const deletesByTime = (t: TopicRetention) => t.cleanupPolicy.includes("delete") && t.retentionMs >= 0

const fixCommand = (topic: string, config: string) =>
  `kafka-configs.sh --bootstrap-server … --alter --entity-type topics --entity-name ${topic} --add-config ${config}`

/**
 * What would make the broker delete records the connector publishes before anyone reads them. Activity
 * records carry the activity's `created_at` as their timestamp: on a `CreateTime` topic that deletes by time,
 * an activity older than `retention.ms` lands in a segment the next retention check removes. The dead-letter
 * topic is exempt (its records are stamped when published); the checkpoint topic must never delete by time,
 * or an account that publishes nothing for that long loses its position. One line per topic at fault.
 */
export const retentionProblems = (
  topics: ConnectorTopics,
  starts: ReadonlyArray<PublishStart>,
  now: number,
): ReadonlyArray<string> => {
  const problems: string[] = []
  // activities and login_failed may be configured as the same topic: one line for it.
  const timestamped = [...new Map([topics.activities, topics.login_failed].map((t) => [t.topic, t])).values()]
  for (const topic of timestamped) {
    if (topic.timestampType !== "CreateTime" || !deletesByTime(topic)) continue
    const limit = now - topic.retentionMs
    const atRisk = starts.flatMap((start) => {
      const oldest = oldestCreatedAt(start, now)
      return oldest === undefined || oldest < limit ? [{ start, oldest }] : []
    })
    if (atRisk.length === 0) continue
    const accounts = atRisk.map(({ start, oldest }) => {
      const age = oldest === undefined ? "of any age" : `up to ${formatMs(hoursAbove(now - oldest))} old`
      return `${start.accountId} (${start.integration}, ${start.via}: activity ${age})`
    })
    const unbounded = atRisk.some(({ oldest }) => oldest === undefined)
    const oldestAge = Math.max(...atRisk.map(({ oldest }) => (oldest === undefined ? 0 : now - oldest)))
    const raise = unbounded
      ? "or set its retention.ms=-1 (the oldest activity these accounts can publish is not bounded)"
      : `or raise its retention.ms above ${hoursAbove(oldestAge)} (${formatMs(hoursAbove(oldestAge))}: such records are then kept only for the difference)`
    problems.push(
      `topic ${topic.topic} has message.timestamp.type=CreateTime and retention.ms=${topic.retentionMs} ` +
        `(${formatMs(topic.retentionMs)}): records are timestamped with the activity's created_at, so the broker ` +
        `would delete activity older than ${formatMs(topic.retentionMs)} at its next retention check, and these ` +
        `accounts can publish such activity: ${accounts.join(", ")}. Fix: set message.timestamp.type=LogAppendTime ` +
        `on the topic, so retention counts from publication (${fixCommand(topic.topic, "message.timestamp.type=LogAppendTime")}), ${raise}.`,
    )
  }
  const checkpoints = topics.checkpoints
  if (deletesByTime(checkpoints)) {
    problems.push(
      `topic ${checkpoints.topic} (checkpoints) has cleanup.policy=${checkpoints.cleanupPolicy.join(",")} and ` +
        `retention.ms=${checkpoints.retentionMs} (${formatMs(checkpoints.retentionMs)}): an account that publishes ` +
        `nothing for that long loses its checkpoint and restarts from its start_from. Fix: set ` +
        `cleanup.policy=compact on the topic (${fixCommand(checkpoints.topic, "cleanup.policy=compact")}).`,
    )
  }
  return problems
}

/** Rounded up to a whole hour: a suggestion, not a measurement. */
const hoursAbove = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS
