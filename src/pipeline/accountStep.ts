import type { Duration } from "effect"
import type { ProviderError } from "../http/ProviderError.ts"
import type { OutgoingMessage } from "./ActivityMessages.ts"
import {
  checkpointAfterPage,
  newestByStreamOf,
  nextCheckpoint,
  type PageFacts,
  type PageOutcome,
  restartedAfterExpiry,
} from "./accountCheckpoints.ts"
import type { Checkpoint } from "./Checkpoint.ts"
import { KafkaFailure } from "./KafkaFailure.ts"
import { withRetentionGap } from "./retentionGap.ts"
import type { AccountStreamHealth } from "./StreamHealth.ts"
import type { CheckpointUnreadable } from "./StreamStopped.ts"

// One account stream's exactly-once state machine: `step(facts, state, event)` says what the stream now knows
// and what it does next. No I/O and no clock: `runAccountStream` carries the actions out through the ports
// (publisher, checkpoint store, provider, health, Clock) and feeds back what came of them as the next event.
// `Read` is the interpreter's handle on a page read ahead: the machine only keeps it, joins it or drops it.

export type StreamError = ProviderError | KafkaFailure | CheckpointUnreadable

/**
 * Failures this stream cannot mend by retrying: its shard's producer was fenced (the shard is the pipeline's to
 * restart, or another instance's now), its checkpoint cannot be read, the integration's provider client does
 * not exist yet, or the provider handed back a continuation the connector will not follow (a retry re-reads
 * from the same checkpoint and is handed the same one).
 */
export const isFinal = (error: StreamError): boolean =>
  (error._tag === "KafkaFailure" && error.fenced) ||
  error._tag === "CheckpointUnreadable" ||
  error._tag === "ProviderNotImplemented" ||
  error._tag === "ContinuationRefused"

/** What the stream's account and integration fix for its whole run. */
export interface StreamFacts extends PageFacts {
  /** This process, written into the checkpoints it commits (`owner`). */
  readonly owner: string
  readonly historyRetention: Duration.Duration | undefined
  /** Every stream's position cleared, in stored form: where a restart after expired history goes on from. */
  readonly noPositions: unknown
}

/** A commit in flight, and what it is for: what the stream does once it lands. */
type Committing =
  | { readonly _tag: "GapRecorded"; readonly checkpoint: Checkpoint }
  | { readonly _tag: "Restarted"; readonly checkpoint: Checkpoint; readonly reason: string }
  | {
      readonly _tag: "PagePublished"
      readonly checkpoint: Checkpoint
      readonly hasMore: boolean
      readonly deadLettered: number
    }

export interface StreamState<Read> {
  /** The newest checkpoint this process knows committed (or read back from Kafka). */
  readonly committed: Checkpoint
  /**
   * After a failed commit the transaction's outcome is unknown (it may have landed and only its answer got
   * lost), or the shard's producer was replaced since the account read its checkpoint: the next step reads the
   * checkpoint Kafka holds before anything else, not the one in memory.
   */
  readonly inDoubt: boolean
  /** Whether the retention gap check before the first page is done (its gap, if any, committed). */
  readonly gapChecked: boolean
  /**
   * The next page, read while the previous page's transaction was in flight, so that the provider's latency
   * and the broker's do not add up per page. `after` is the checkpoint that transaction committed: the read is
   * used only if it is still `committed` when the next step reads (a resync or a restart moved it otherwise).
   * Nothing of it reaches Kafka but through the next step's own transaction.
   */
  readonly ahead: { readonly after: Checkpoint; readonly read: Read } | undefined
  readonly committing: Committing | undefined
}

export type StreamEvent<Read> =
  | { readonly _tag: "Started"; readonly resumed: boolean }
  /** The loop's next step: after a page with more behind it, a poll delay, or a failure's backoff. */
  | { readonly _tag: "StepBegan"; readonly nowMs: number }
  /** The checkpoint Kafka holds, read after the producer was ready (undefined: none yet). */
  | { readonly _tag: "Resynced"; readonly stored: Checkpoint | undefined; readonly nowMs: number }
  | { readonly _tag: "PageRead"; readonly page: PageOutcome; readonly nowMs: number }
  | { readonly _tag: "ReadFailed"; readonly error: StreamError; readonly nowMs: number }
  | { readonly _tag: "ReadAheadStarted"; readonly after: Checkpoint; readonly read: Read }
  | { readonly _tag: "Committed"; readonly nowMs: number }
  | { readonly _tag: "CommitFailed"; readonly error: KafkaFailure }

/** The effects to carry out, in order; those that end in an event are stepped before the next action. */
export type StreamAction<Read> =
  /** Wait for a ready producer, then read the account's checkpoint from Kafka → `Resynced`. */
  | { readonly _tag: "Resync" }
  /** Read the page after `after`'s positions and filters → `PageRead` or `ReadFailed`. */
  | { readonly _tag: "ReadPage"; readonly after: Checkpoint }
  | { readonly _tag: "UseReadAhead"; readonly read: Read }
  /** Start reading the page after `after` without waiting for it → `ReadAheadStarted`. */
  | { readonly _tag: "ReadAhead"; readonly after: Checkpoint }
  | { readonly _tag: "DropReadAhead"; readonly read: Read }
  /** Publish `messages` and `checkpoint` in one transaction → `Committed` or `CommitFailed`. */
  | {
      readonly _tag: "Commit"
      readonly messages: ReadonlyArray<OutgoingMessage>
      readonly checkpoint: Checkpoint
    }
  | { readonly _tag: "SetHealth"; readonly patch: Partial<AccountStreamHealth> }
  | {
      readonly _tag: "Log"
      readonly level: "Info" | "Warning" | "Error"
      readonly message: string
      readonly annotations?: Readonly<Record<string, unknown>>
    }
  /** The step is over: the next one begins at once, or after the poll delay when the stream is caught up. */
  | { readonly _tag: "StepDone"; readonly caughtUp: boolean }
  /** The step failed: retried with backoff from the state as it is, unless the error is final. */
  | { readonly _tag: "Fail"; readonly error: StreamError }

export interface Stepped<Read> {
  readonly state: StreamState<Read>
  readonly actions: ReadonlyArray<StreamAction<Read>>
}

export const initialState = <Read>(committed: Checkpoint): StreamState<Read> => ({
  committed,
  inDoubt: false,
  gapChecked: false,
  ahead: undefined,
  committing: undefined,
})

/** What the stream knows after `event`, and what it does next, in order. */
export const step = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  event: StreamEvent<Read>,
): Stepped<Read> => {
  switch (event._tag) {
    case "Started":
      return {
        state,
        actions: [
          { _tag: "SetHealth", patch: { state: "starting" } },
          {
            _tag: "Log",
            level: "Info",
            message: event.resumed ? "resuming from checkpoint" : "starting new stream",
          },
        ],
      }
    case "StepBegan":
      return state.inDoubt
        ? { state: { ...state, ahead: undefined }, actions: [...dropAhead(state), { _tag: "Resync" }] }
        : checkGapThenRead(facts, state, event.nowMs)
    case "Resynced":
      return resynced(facts, state, event.stored, event.nowMs)
    case "ReadAheadStarted":
      return { state: { ...state, ahead: { after: event.after, read: event.read } }, actions: [] }
    case "PageRead":
      return pageRead(facts, state, event.page, event.nowMs)
    case "ReadFailed":
      return readFailed(facts, state, event.error, event.nowMs)
    case "Committed":
      return commitLanded(facts, state, event.nowMs)
    case "CommitFailed":
      return {
        state: { ...state, inDoubt: true, committing: undefined, ahead: undefined },
        actions: [...dropAhead(state), { _tag: "Fail", error: event.error }],
      }
  }
}

const dropAhead = <Read>(state: StreamState<Read>): ReadonlyArray<StreamAction<Read>> =>
  state.ahead === undefined ? [] : [{ _tag: "DropReadAhead", read: state.ahead.read }]

/**
 * The provider no longer keeps history as old as the checkpoint: a restart from the earliest it has is
 * committed, and said. Any other failed read fails the step as it is, to be retried from the same checkpoint.
 */
const readFailed = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  error: StreamError,
  nowMs: number,
): Stepped<Read> => {
  if (error._tag !== "ProviderHistoryExpired") return { state, actions: [{ _tag: "Fail", error }] }
  const checkpoint = restartedAfterExpiry(state.committed, facts.noPositions, error.message, nowMs)
  return commit(facts, state, [], nowMs, { _tag: "Restarted", checkpoint, reason: error.message })
}

/** Never a checkpoint older than this process committed: Kafka was read below an open transaction. */
const resynced = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  stored: Checkpoint | undefined,
  nowMs: number,
): Stepped<Read> => {
  const known = state.committed
  if ((stored?.sequence ?? 0) < known.sequence) {
    // Cannot happen once the read waits for a stable end; if it does, reading again is the safe answer.
    const error = new KafkaFailure({
      operation: "read back the checkpoint",
      cause: new Error(
        `read sequence ${stored?.sequence ?? "none"}, but this process committed sequence ${known.sequence}`,
      ),
    })
    return { state, actions: [{ _tag: "Fail", error }] }
  }
  const next = checkGapThenRead(facts, { ...state, committed: stored ?? known, inDoubt: false }, nowMs)
  return {
    state: next.state,
    actions: [
      { _tag: "Log", level: "Info", message: "resynchronised with the checkpoint in Kafka" },
      ...next.actions,
    ],
  }
}

/**
 * Before the first page: whether the checkpoint read through an instant the provider no longer keeps. A gap
 * is committed (and logged) before anything is read after it.
 */
const checkGapThenRead = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  nowMs: number,
): Stepped<Read> => {
  if (state.gapChecked) return read(state)
  const gapped = withRetentionGap(state.committed, facts.historyRetention, nowMs)
  if (gapped) return commit(facts, state, [], nowMs, { _tag: "GapRecorded", checkpoint: gapped })
  const next = read({ ...state, gapChecked: true })
  return {
    state: next.state,
    actions: [{ _tag: "SetHealth", patch: { gaps_total: state.committed.gaps.length } }, ...next.actions],
  }
}

/** The page after the committed checkpoint: the one read ahead if it was read after just that, else a new read. */
const read = <Read>(state: StreamState<Read>): Stepped<Read> => {
  const { ahead, committed } = state
  const next = { ...state, ahead: undefined }
  if (ahead?.after === committed)
    return { state: next, actions: [{ _tag: "UseReadAhead", read: ahead.read }] }
  return { state: next, actions: [...dropAhead(state), { _tag: "ReadPage", after: committed }] }
}

const pageRead = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  page: PageOutcome,
  nowMs: number,
): Stepped<Read> => {
  const { hasMore, routed } = page
  const after = checkpointAfterPage(facts, state.committed, page)
  if (after === undefined) return pageDone(facts, state, hasMore, routed.deadLettered, nowMs)
  // With more behind it, the next page is read from the new checkpoint's positions and filters while it commits.
  return commit(
    facts,
    state,
    routed.messages,
    nowMs,
    { _tag: "PagePublished", checkpoint: after, hasMore, deadLettered: routed.deadLettered },
    hasMore,
  )
}

/**
 * Commits `committing.checkpoint` (after `messages`) as the next in sequence, by this process, now; with
 * `readAhead`, the page after it is read meanwhile.
 */
const commit = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  messages: ReadonlyArray<OutgoingMessage>,
  nowMs: number,
  committing: Committing,
  readAhead = false,
): Stepped<Read> => {
  const checkpoint = nextCheckpoint(committing.checkpoint, facts.owner, nowMs)
  const publish: StreamAction<Read> = { _tag: "Commit", messages, checkpoint }
  return {
    state: { ...state, committing: { ...committing, checkpoint } },
    actions: readAhead ? [{ _tag: "ReadAhead", after: checkpoint }, publish] : [publish],
  }
}

const commitLanded = <Read>(facts: StreamFacts, state: StreamState<Read>, nowMs: number): Stepped<Read> => {
  const { committing } = state
  if (committing === undefined) return { state, actions: [] }
  const current = committing.checkpoint
  const landed: StreamState<Read> = { ...state, committed: current, committing: undefined }
  const gaps_total = current.gaps.length
  switch (committing._tag) {
    case "GapRecorded": {
      const gap = current.gaps.at(-1)
      const next = read({ ...landed, gapChecked: true })
      const message =
        "history gap: the provider no longer keeps what the checkpoint would read next; resuming from the oldest it keeps"
      return {
        state: next.state,
        actions: [
          { _tag: "Log", level: "Error", message, annotations: { from: gap?.from, to: gap?.to, gaps_total } },
          { _tag: "SetHealth", patch: { gaps_total } },
          ...next.actions,
        ],
      }
    }
    case "Restarted": {
      const message =
        "history gap: checkpoint older than the provider's retention; resuming from the earliest available"
      return {
        state: landed,
        actions: [
          { _tag: "Log", level: "Error", message, annotations: { reason: committing.reason, gaps_total } },
          { _tag: "SetHealth", patch: { gaps_total } },
          { _tag: "StepDone", caughtUp: false },
        ],
      }
    }
    case "PagePublished":
      return pageDone(facts, landed, committing.hasMore, committing.deadLettered, nowMs)
  }
}

const pageDone = <Read>(
  facts: StreamFacts,
  state: StreamState<Read>,
  hasMore: boolean,
  deadLettered: number,
  nowMs: number,
): Stepped<Read> => ({
  state,
  actions: [
    ...(deadLettered > 0
      ? [
          {
            _tag: "Log",
            level: "Warning",
            message: "records dead-lettered",
            annotations: { count: deadLettered },
          } as const,
        ]
      : []),
    { _tag: "SetHealth", patch: healthAfterPage(facts, state.committed, hasMore, nowMs) },
    { _tag: "StepDone", caughtUp: !hasMore },
  ],
})

/** What the stream's health says after a page, from the checkpoint it now stands at. */
export const healthAfterPage = (
  facts: PageFacts,
  current: Checkpoint,
  hasMore: boolean,
  nowMs: number,
): Partial<AccountStreamHealth> => ({
  state: hasMore ? "streaming" : "caught_up",
  last_page_at: new Date(nowMs).toISOString(),
  ...(current.last_created_at === undefined ? {} : { last_created_at: current.last_created_at }),
  newest_by_stream: newestByStreamOf(current, facts.streamNames),
  consecutive_failures: 0,
  published_total: current.published_total,
  dead_lettered_total: current.dead_lettered_total,
  gaps_total: current.gaps.length,
})
