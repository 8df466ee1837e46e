import type { AccountConfig } from "../config/ConnectorConfig.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type Checkpoint, storedPositionsOf, withStoredPositions } from "./Checkpoint.ts"
import { newer, type RoutedPage } from "./routePage.ts"

// An account stream's checkpoint arithmetic: what the checkpoint after a page, a restart or a commit holds.
// Pure: the instant is an argument, never read here.

/**
 * How stale a checkpoint's `read_through` may grow before a caught-up read with nothing new commits one just
 * to move it: a day, far inside the shortest retention a provider states (90 days), so a quiet account is
 * never taken for one that stopped reading, and a quiet cursor stream costs one transaction a day, not one a
 * poll.
 */
export const READ_THROUGH_REFRESH_MS = 24 * 60 * 60 * 1000

/** The filters a new stream starts with: the account's organisation and where `start_from` says. */
export const startFilters = (
  account: IntegratedAccount,
  config: AccountConfig,
  now: Date,
): ActivityFilters => {
  const organization = account.settings.organization_id
  const base: ActivityFilters = organization === undefined ? {} : { organization_id: organization }
  if (config.start_from === "earliest") return base
  const from = config.start_from === "now" ? now : new Date(config.start_from)
  return { ...base, created_at: from.toISOString() }
}

export const freshCheckpoint = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  now: Date,
): Checkpoint => ({
  version: 1,
  integrated_account_id: account.id,
  integration: account.integration,
  filters,
  updated_at: now.toISOString(),
  sequence: 0,
  published_total: 0,
  dead_lettered_total: 0,
  gaps: [],
})

/** The checkpoint as committed by `owner` at `nowMs`: the sequence moves on by one. */
export const nextCheckpoint = (checkpoint: Checkpoint, owner: string, nowMs: number): Checkpoint => ({
  ...checkpoint,
  sequence: checkpoint.sequence + 1,
  owner,
  updated_at: new Date(nowMs).toISOString(),
})

/**
 * Each stream's newest `created_at`. A checkpoint from before streams were told apart knows only the account's
 * newest: each stream starts from it, so every stream's lag is reported (conservatively) from the first page on.
 */
export const newestByStreamOf = (
  checkpoint: Checkpoint,
  streamNames: ReadonlyArray<string>,
): Readonly<Record<string, string>> =>
  checkpoint.newest_by_stream ??
  (checkpoint.last_created_at === undefined
    ? {}
    : Object.fromEntries(streamNames.map((name) => [name, checkpoint.last_created_at ?? ""])))

const newestPerStream = (
  before: Readonly<Record<string, string>>,
  page: Readonly<Record<string, string>>,
): Record<string, string> => {
  const merged: Record<string, string> = { ...before }
  for (const [stream, createdAt] of Object.entries(page))
    merged[stream] = newer(merged[stream], createdAt) ?? createdAt
  return merged
}

/** One page as the stream read it: its routed messages and every stream's position after it, stored form. */
export interface PageOutcome {
  readonly routed: RoutedPage
  readonly positions: unknown
  readonly hasMore: boolean
  /** When the page's read began: how far a caught-up read may claim to have read (`read_through`). */
  readonly readStartedMs: number
}

/** What the facts of the integration say about pages: its streams' names and the longest settle window. */
export interface PageFacts {
  readonly streamNames: ReadonlyArray<string>
  /** A caught-up read has not read what a watermark stream's settle window leaves for a later poll. */
  readonly settleMs: number
}

/**
 * The checkpoint after `page`, or undefined when there is nothing to commit: no message, the positions where
 * they were, and what the checkpoint says was read less than a day old. A quiet cursor stream is committed
 * anyway once that is a day old, so the retention check never takes a quiet account for a stale one.
 */
export const checkpointAfterPage = (
  facts: PageFacts,
  checkpoint: Checkpoint,
  page: PageOutcome,
): Checkpoint | undefined => {
  const { routed } = page
  const moved = JSON.stringify(page.positions) !== JSON.stringify(storedPositionsOf(checkpoint))
  const readThrough = page.hasMore ? undefined : new Date(page.readStartedMs - facts.settleMs).toISOString()
  const knownThrough = newer(checkpoint.read_through, checkpoint.last_created_at)
  const refresh =
    readThrough !== undefined &&
    (knownThrough === undefined ||
      Date.parse(readThrough) - Date.parse(knownThrough) >= READ_THROUGH_REFRESH_MS)
  if (routed.messages.length === 0 && !moved && !refresh) return undefined
  return {
    ...withStoredPositions(checkpoint, page.positions),
    last_created_at: newer(checkpoint.last_created_at, routed.newestCreatedAt),
    read_through: newer(checkpoint.read_through, readThrough),
    newest_by_stream: newestPerStream(newestByStreamOf(checkpoint, facts.streamNames), routed.newestByStream),
    published_total: checkpoint.published_total + routed.published,
    dead_lettered_total: checkpoint.dead_lettered_total + routed.deadLettered,
  }
}

/**
 * The checkpoint to go on from when the provider no longer keeps history as old as the checkpoint's: every
 * stream from the earliest the provider has (no positions, no start instant), with the gap recorded.
 */
export const restartedAfterExpiry = (
  checkpoint: Checkpoint,
  noPositions: unknown,
  reason: string,
  nowMs: number,
): Checkpoint => {
  const { created_at: _, ...withoutStart } = checkpoint.filters
  return {
    ...withStoredPositions(checkpoint, noPositions),
    filters: withoutStart,
    gaps: [...checkpoint.gaps, { detected_at: new Date(nowMs).toISOString(), reason }],
  }
}
