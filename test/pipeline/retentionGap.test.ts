import { Duration, Either } from "effect"
import { describe, expect, it } from "vitest"
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../src/pipeline/Checkpoint.ts"
import { withRetentionGap } from "../../src/pipeline/retentionGap.ts"

const now = Date.parse("2026-11-30T12:00:00.000Z")
const days = (n: number) => new Date(now - n * 86_400_000).toISOString()
const checkpoint = (patch: Partial<Checkpoint>): Checkpoint => ({
  version: 1,
  integrated_account_id: "00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
  integration: "okta",
  filters: {},
  position: { next: "/api/v1/logs?after=abc&sortOrder=ASCENDING&limit=100" },
  updated_at: days(100),
  sequence: 12,
  published_total: 500,
  dead_lettered_total: 1,
  gaps: [],
  ...patch,
})
const ninetyDays = Duration.days(90)

describe("withRetentionGap", () => {
  it("a checkpoint that read through 120 days ago restarts at the oldest kept instant and records the gap", () => {
    const stale = checkpoint({ last_created_at: days(120) })
    const resumed = withRetentionGap(stale, ninetyDays, now)
    expect(resumed?.position).toBeUndefined()
    expect(resumed?.filters.created_at).toBe(days(90))
    expect(resumed?.gaps).toEqual([
      {
        detected_at: new Date(now).toISOString(),
        reason: expect.stringContaining("okta keeps only 90d"),
        from: days(120),
        to: days(90),
      },
    ])
    // Everything else carries over: totals, sequence (the commit moves it on), earlier gaps.
    expect(resumed).toMatchObject({ published_total: 500, dead_lettered_total: 1, sequence: 12 })
  })

  it("no gap while the checkpoint is inside the provider's retention", () => {
    expect(withRetentionGap(checkpoint({ last_created_at: days(89) }), ninetyDays, now)).toBeUndefined()
  })

  it("a new stream that never published is judged by the instant it was asked to start at", () => {
    const fresh = checkpoint({ position: undefined, filters: { created_at: days(200) } })
    expect(withRetentionGap(fresh, ninetyDays, now)?.gaps[0]?.from).toBe(days(200))
  })

  it("a checkpoint with a provider position but no last_created_at (written before it existed) is left to the provider", () => {
    expect(
      withRetentionGap(checkpoint({ filters: { created_at: days(200) } }), ninetyDays, now),
    ).toBeUndefined()
  })

  it("a provider that states no retention never produces a gap", () => {
    expect(withRetentionGap(checkpoint({ last_created_at: days(400) }), undefined, now)).toBeUndefined()
  })

  it("earlier gaps are kept", () => {
    const earlier = { detected_at: days(300), reason: "an older gap" }
    const resumed = withRetentionGap(
      checkpoint({ last_created_at: days(120), gaps: [earlier] }),
      ninetyDays,
      now,
    )
    expect(resumed?.gaps).toHaveLength(2)
    expect(resumed?.gaps[0]).toEqual(earlier)
  })

  it("a quiet account, caught up recently but with no activity inside the retention, keeps its position", () => {
    const quiet = checkpoint({ last_created_at: days(200), read_through: days(0.5) })
    expect(withRetentionGap(quiet, ninetyDays, now)).toBeUndefined()
  })

  it("a checkpoint whose last caught-up read is itself older than the retention still records the gap", () => {
    const stale = checkpoint({ last_created_at: days(200), read_through: days(120) })
    const resumed = withRetentionGap(stale, ninetyDays, now)
    expect(resumed?.gaps.at(-1)).toMatchObject({ from: days(120), to: days(90) })
    expect(resumed?.position).toBeUndefined()
    // The gap accounts for everything before `to`: a restart before the next read records no second gap.
    expect(resumed && withRetentionGap(resumed, ninetyDays, now)).toBeUndefined()
  })

  it("a checkpoint written before read_through existed decodes, and is judged by last_created_at as before", () => {
    const { read_through: _, ...older } = checkpoint({ last_created_at: days(120) })
    const decoded = decodeCheckpoint(encodeCheckpoint(older as Checkpoint))
    expect(Either.isRight(decoded)).toBe(true)
    if (Either.isRight(decoded)) {
      expect(decoded.right.read_through).toBeUndefined()
      expect(withRetentionGap(decoded.right, ninetyDays, now)?.gaps[0]?.from).toBe(days(120))
    }
  })
})
