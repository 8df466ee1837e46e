import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import {
  ContinuationRefused,
  ProviderHistoryExpired,
  ProviderRateLimited,
} from "../../src/http/ProviderError.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import {
  checkpointAfterPage,
  type PageOutcome,
  READ_THROUGH_REFRESH_MS,
} from "../../src/pipeline/accountCheckpoints.ts"
import {
  initialState,
  isFinal,
  type StreamAction,
  type StreamEvent,
  type StreamFacts,
  type StreamState,
  step,
} from "../../src/pipeline/accountStep.ts"
import type { Checkpoint } from "../../src/pipeline/Checkpoint.ts"
import { KafkaFailure } from "../../src/pipeline/KafkaFailure.ts"
import type { RoutedPage } from "../../src/pipeline/routePage.ts"

// The account stream's state machine from fixtures, no I/O: each test feeds events as the interpreter would
// and checks what the machine asks for next. The read-ahead handle is a plain string here.

type Read = string
const now = Date.parse("2026-11-30T12:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const hours = (n: number) => n * 3_600_000

const facts: StreamFacts = {
  owner: "instance-a",
  streamNames: ["logs"],
  settleMs: 0,
  historyRetention: Duration.days(90),
  noPositions: undefined,
}

const checkpoint = (patch: Partial<Checkpoint> = {}): Checkpoint => ({
  version: 1,
  integrated_account_id: "00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
  integration: "okta",
  filters: { created_at: iso(now - hours(48)) },
  position: { next: "/api/v1/logs?after=a" },
  updated_at: iso(now - hours(1)),
  sequence: 4,
  last_created_at: iso(now - hours(2)),
  read_through: iso(now - hours(1)),
  published_total: 40,
  dead_lettered_total: 1,
  gaps: [],
  ...patch,
})

const message = (id: string): OutgoingMessage => ({ topic: "activities", message: { key: id, value: id } })

const routed = (patch: Partial<RoutedPage> = {}): RoutedPage => ({
  messages: [],
  published: 0,
  deadLettered: 0,
  newestCreatedAt: undefined,
  newestByStream: {},
  ...patch,
})

/** A page of `count` activities ending at `newest`, its position moved to `after=<next>`. */
const pageOf = (next: string, count: number, newest: string, hasMore: boolean): PageOutcome => ({
  routed: routed({
    messages: Array.from({ length: count }, (_, i) => message(`${next}-${i}`)),
    published: count,
    newestCreatedAt: newest,
    newestByStream: { logs: newest },
  }),
  positions: { next: `/api/v1/logs?after=${next}` },
  hasMore,
  readStartedMs: now,
})

/** Feeds `events` in turn; the actions are those of the last event. */
const feed = (state: StreamState<Read>, ...events: ReadonlyArray<StreamEvent<Read>>) =>
  events.reduce(({ state }, event) => step(facts, state, event), {
    state,
    actions: [] as ReadonlyArray<StreamAction<Read>>,
  })

const tags = (actions: ReadonlyArray<StreamAction<Read>>) => actions.map((action) => action._tag)
const commitOf = (actions: ReadonlyArray<StreamAction<Read>>) => {
  const commit = actions.find((action) => action._tag === "Commit")
  if (commit?._tag !== "Commit") throw new Error(`no commit among ${tags(actions).join(", ")}`)
  return commit
}

/** A stream past its gap check, standing at `committed`. */
const streaming = (committed: Checkpoint = checkpoint()): StreamState<Read> => ({
  ...initialState<Read>(committed),
  gapChecked: true,
})

const began: StreamEvent<Read> = { _tag: "StepBegan", nowMs: now }
const committedAt: StreamEvent<Read> = { _tag: "Committed", nowMs: now }
const lost = new KafkaFailure({ operation: "commit the transaction", cause: new Error("request timed out") })

describe("the account stream's step", () => {
  it("starts by checking the retention gap, then reads after the committed checkpoint; the check runs once", () => {
    const fresh = initialState<Read>(checkpoint())
    const first = step(facts, fresh, began)
    expect(first.actions).toEqual([
      { _tag: "SetHealth", patch: { gaps_total: 0 } },
      { _tag: "ReadPage", after: fresh.committed },
    ])
    expect(tags(step(facts, first.state, began).actions)).toEqual(["ReadPage"])
  })

  it("a gap is committed before anything is read after it, and the read goes on from the gap's checkpoint", () => {
    const stale = checkpoint({ last_created_at: iso(now - hours(24 * 120)), read_through: undefined })
    const checking = step(facts, initialState<Read>(stale), began)
    expect(tags(checking.actions)).toEqual(["Commit"])
    const commit = commitOf(checking.actions)
    expect(commit.messages).toEqual([])
    expect(commit.checkpoint).toMatchObject({
      sequence: stale.sequence + 1,
      owner: "instance-a",
      updated_at: iso(now),
      filters: { created_at: iso(now - hours(24 * 90)) },
    })
    expect(commit.checkpoint.gaps).toHaveLength(1)
    expect(commit.checkpoint.position).toBeUndefined()
    const landed = step(facts, checking.state, committedAt)
    expect(tags(landed.actions)).toEqual(["Log", "SetHealth", "ReadPage"])
    expect(landed.actions).toContainEqual({ _tag: "SetHealth", patch: { gaps_total: 1 } })
    expect(landed.actions).toContainEqual({ _tag: "ReadPage", after: commit.checkpoint })
    expect(landed.state.committed).toBe(commit.checkpoint)
    expect(landed.state.gapChecked).toBe(true)
  })

  it("a gap whose commit failed is checked again after the resync, before any read", () => {
    const stale = checkpoint({ last_created_at: iso(now - hours(24 * 120)), read_through: undefined })
    const { state } = feed(initialState<Read>(stale), began, { _tag: "CommitFailed", error: lost })
    expect(state).toMatchObject({ inDoubt: true, gapChecked: false, committed: stale })
    expect(step(facts, state, began).actions).toEqual([{ _tag: "Resync" }])
    const resynced = feed(state, began, { _tag: "Resynced", stored: stale, nowMs: now })
    expect(tags(resynced.actions)).toEqual(["Log", "Commit"])
  })

  it("a page with more behind it is read ahead while it commits, and the read ahead is what the next step uses", () => {
    const reading = feed(streaming(), began, {
      _tag: "PageRead",
      page: pageOf("b", 3, iso(now - hours(1)), true),
      nowMs: now,
    })
    expect(tags(reading.actions)).toEqual(["ReadAhead", "Commit"])
    const commit = commitOf(reading.actions)
    expect(reading.actions[0]).toEqual({ _tag: "ReadAhead", after: commit.checkpoint })
    expect(commit.messages).toHaveLength(3)
    const landed = feed(
      reading.state,
      { _tag: "ReadAheadStarted", after: commit.checkpoint, read: "page-c" },
      committedAt,
    )
    expect(tags(landed.actions)).toEqual(["SetHealth", "StepDone"])
    expect(landed.actions).toContainEqual({ _tag: "StepDone", caughtUp: false })
    const next = step(facts, landed.state, began)
    expect(next.actions).toEqual([{ _tag: "UseReadAhead", read: "page-c" }])
    expect(next.state.ahead).toBeUndefined()
  })

  it("a caught-up page is not read ahead, and the step ends in the poll delay", () => {
    const reading = feed(streaming(), began, {
      _tag: "PageRead",
      page: pageOf("b", 2, iso(now - hours(1)), false),
      nowMs: now,
    })
    expect(tags(reading.actions)).toEqual(["Commit"])
    expect(step(facts, reading.state, committedAt).actions).toContainEqual({
      _tag: "StepDone",
      caughtUp: true,
    })
  })

  it("a failed commit drops the page read ahead and leaves the stream in doubt: the next step resyncs first", () => {
    const reading = feed(streaming(), began, {
      _tag: "PageRead",
      page: pageOf("b", 3, iso(now - hours(1)), true),
      nowMs: now,
    })
    const after = commitOf(reading.actions).checkpoint
    const failed = feed(
      reading.state,
      { _tag: "ReadAheadStarted", after, read: "page-c" },
      { _tag: "CommitFailed", error: lost },
    )
    expect(failed.actions).toEqual([
      { _tag: "DropReadAhead", read: "page-c" },
      { _tag: "Fail", error: lost },
    ])
    expect(failed.state).toMatchObject({ inDoubt: true, ahead: undefined, committing: undefined })
    expect(failed.state.committed).toEqual(checkpoint())
    // The retry's step: Kafka first. The commit in doubt did land: the stream goes on from it, read afresh.
    expect(step(facts, failed.state, began).actions).toEqual([{ _tag: "Resync" }])
    const resynced = feed(failed.state, began, { _tag: "Resynced", stored: after, nowMs: now })
    expect(resynced.actions).toEqual([
      { _tag: "Log", level: "Info", message: "resynchronised with the checkpoint in Kafka" },
      { _tag: "ReadPage", after },
    ])
    expect(resynced.state.inDoubt).toBe(false)
  })

  it("a page read ahead is used only after the very checkpoint it was read after, not an equal one read back", () => {
    const committed = checkpoint({ sequence: 5 })
    const state: StreamState<Read> = {
      ...streaming(structuredClone(committed)),
      ahead: { after: committed, read: "page-c" },
    }
    expect(step(facts, state, began).actions).toEqual([
      { _tag: "DropReadAhead", read: "page-c" },
      { _tag: "ReadPage", after: state.committed },
    ])
    const inDoubt = { ...state, committed, inDoubt: true }
    expect(step(facts, inDoubt, began).actions).toEqual([
      { _tag: "DropReadAhead", read: "page-c" },
      { _tag: "Resync" },
    ])
  })

  it("a checkpoint read back older than this process committed fails the step and stays in doubt", () => {
    const inDoubt = { ...streaming(checkpoint({ sequence: 9 })), inDoubt: true }
    const stale = step(facts, inDoubt, { _tag: "Resynced", stored: checkpoint({ sequence: 8 }), nowMs: now })
    expect(tags(stale.actions)).toEqual(["Fail"])
    const [fail] = stale.actions
    expect(fail?._tag === "Fail" && fail.error._tag === "KafkaFailure" && !isFinal(fail.error)).toBe(true)
    expect(stale.state).toBe(inDoubt)
    // Nothing in Kafka yet, nothing committed here yet: the stream goes on from where it started.
    const none = step(
      facts,
      { ...streaming(checkpoint({ sequence: 0 })), inDoubt: true },
      {
        _tag: "Resynced",
        stored: undefined,
        nowMs: now,
      },
    )
    expect(tags(none.actions)).toEqual(["Log", "ReadPage"])
  })

  it("history expired: a restart from the earliest kept is committed with the gap, and the next step reads at once", () => {
    const expired = new ProviderHistoryExpired({ integration: "okta", message: "after is too old" })
    const restarting = feed(streaming(), began, { _tag: "ReadFailed", error: expired, nowMs: now })
    const restart = commitOf(restarting.actions).checkpoint
    expect(restart.filters).toEqual({})
    expect(restart.position).toBeUndefined()
    expect(restart.gaps).toEqual([{ detected_at: iso(now), reason: "after is too old" }])
    expect(restart).toMatchObject({ sequence: 5, owner: "instance-a", published_total: 40 })
    const landed = step(facts, restarting.state, committedAt)
    expect(landed.actions).toContainEqual({ _tag: "SetHealth", patch: { gaps_total: 1 } })
    expect(landed.actions.at(-1)).toEqual({ _tag: "StepDone", caughtUp: false })
    expect(landed.state.committed).toBe(restart)
  })

  it("any other failed read fails the step as it is, nothing committed", () => {
    const limited = new ProviderRateLimited({ integration: "okta", retryAfterMs: 1_000, message: "429" })
    const state = feed(streaming(), began).state
    expect(step(facts, state, { _tag: "ReadFailed", error: limited, nowMs: now })).toEqual({
      state,
      actions: [{ _tag: "Fail", error: limited }],
    })
  })

  it("nothing new and the position where it was: no commit, only the health and the poll delay", () => {
    const quiet = pageOf("a", 0, iso(now), false)
    const page: PageOutcome = { ...quiet, routed: routed() }
    const done = feed(streaming(), began, { _tag: "PageRead", page, nowMs: now })
    expect(tags(done.actions)).toEqual(["SetHealth", "StepDone"])
    expect(done.actions[0]).toMatchObject({
      patch: { state: "caught_up", last_page_at: iso(now), published_total: 40 },
    })
  })

  it("nothing new for a day: the read_through is refreshed in a commit of its own", () => {
    const quietSince = (ms: number) =>
      checkpoint({ read_through: iso(now - ms), last_created_at: iso(now - ms - hours(1)) })
    const page: PageOutcome = { ...pageOf("a", 0, iso(now), false), routed: routed() }
    expect(checkpointAfterPage(facts, quietSince(READ_THROUGH_REFRESH_MS - 1), page)).toBeUndefined()
    const refreshed = checkpointAfterPage(facts, quietSince(READ_THROUGH_REFRESH_MS), page)
    expect(refreshed?.read_through).toBe(iso(now))
    const done = feed(streaming(quietSince(READ_THROUGH_REFRESH_MS)), began, {
      _tag: "PageRead",
      page,
      nowMs: now,
    })
    expect(commitOf(done.actions)).toMatchObject({
      messages: [],
      checkpoint: { read_through: iso(now), sequence: 5 },
    })
  })
})

describe("the checkpoint after a page", () => {
  it("moves the positions, the newest instants and the totals; read_through only when caught up, less the settle", () => {
    const before = checkpoint()
    const newest = iso(now - hours(1) + 5)
    const more = checkpointAfterPage(facts, before, pageOf("b", 3, newest, true))
    expect(more).toMatchObject({
      position: { next: "/api/v1/logs?after=b" },
      last_created_at: newest,
      read_through: before.read_through,
      newest_by_stream: { logs: newest },
      published_total: 43,
      dead_lettered_total: 1,
      sequence: before.sequence,
    })
    const settled = checkpointAfterPage({ ...facts, settleMs: hours(2) }, before, {
      ...pageOf("b", 1, newest, false),
      readStartedMs: now,
    })
    // Read through now less the two-hour settle window: older than what the checkpoint says, so it stays.
    expect(settled?.read_through).toBe(before.read_through)
    const caughtUp = checkpointAfterPage(facts, before, pageOf("b", 1, newest, false))
    expect(caughtUp?.read_through).toBe(iso(now))
  })

  it("a moved position alone is committed; a checkpoint from before streams were told apart seeds each stream's newest", () => {
    const legacy = checkpoint({ newest_by_stream: undefined })
    const moved = checkpointAfterPage({ ...facts, streamNames: ["logs", "admin"] }, legacy, {
      ...pageOf("b", 0, iso(now), true),
      routed: routed(),
    })
    expect(moved?.newest_by_stream).toEqual({ logs: legacy.last_created_at, admin: legacy.last_created_at })
    expect(moved?.published_total).toBe(legacy.published_total)
  })
})

describe("isFinal", () => {
  it("a fenced producer, an unfollowed continuation: final; a rate limit or a lost answer: retried", () => {
    const fenced = new KafkaFailure({ operation: "send", cause: { type: "PRODUCER_FENCED" } })
    expect(isFinal(fenced)).toBe(true)
    expect(isFinal(new ContinuationRefused({ integration: "salesforce", message: "foreign host" }))).toBe(
      true,
    )
    expect(isFinal(lost)).toBe(false)
    expect(isFinal(new ProviderRateLimited({ integration: "okta", retryAfterMs: 1, message: "429" }))).toBe(
      false,
    )
  })
})
