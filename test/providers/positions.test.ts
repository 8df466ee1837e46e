import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { makeCursorCodec } from "../../src/cursor/CursorCodec.ts"
import {
  decodeCheckpoint,
  encodeCheckpoint,
  storedPositionsOf,
  withStoredPositions,
} from "../../src/pipeline/Checkpoint.ts"
import { okta } from "../../src/providers/okta/index.ts"
import { decodePositions, positionsFrom, storedPositions } from "../../src/providers/pageAccount.ts"
import { zoom } from "../../src/providers/zoom/index.ts"

const oktaNext = { next: "/api/v1/logs?sortOrder=ASCENDING&limit=100&after=1733001600000_1" }

/** A checkpoint exactly as the release before streams wrote it. */
const versionOne = JSON.stringify({
  version: 1,
  integrated_account_id: "0b6e9d1c-3f2a-4c8e-9a7b-5d4e3f2a1b0c",
  integration: "okta",
  filters: { created_at: "2026-11-01T00:00:00.000Z" },
  position: oktaNext,
  updated_at: "2026-11-30T10:00:00.000Z",
  sequence: 12,
  owner: "instance-a",
  last_created_at: "2026-11-30T09:59:00.000Z",
  published_total: 340,
  dead_lettered_total: 1,
  gaps: [],
})

describe("positions per stream, and what the previous release wrote", () => {
  it("a version-1 checkpoint's single position resumes the integration's one stream", () => {
    const checkpoint = Either.getOrThrow(decodeCheckpoint(versionOne))
    const positions = Either.getOrThrow(
      decodePositions(okta, positionsFrom(okta, storedPositionsOf(checkpoint))),
    )
    expect(positions).toEqual({ system_log: oktaNext })
  })

  it("a single-stream integration keeps writing the version-1 form, so the previous release reads it too", () => {
    const checkpoint = Either.getOrThrow(decodeCheckpoint(versionOne))
    const rewritten = withStoredPositions(checkpoint, storedPositions(okta, { system_log: oktaNext }))
    expect(JSON.parse(encodeCheckpoint(rewritten))).toEqual(JSON.parse(versionOne))
  })

  it("several streams are written as version 2, keyed by stream, and read back", () => {
    const checkpoint = Either.getOrThrow(decodeCheckpoint(versionOne))
    const positions = {
      activities: { since: "2026-11-30T09:00:00.000Z", seen: ["a", "b"], rejected: [] },
      operation_logs: { since: "2026-11-29T09:00:00.000Z", seen: [], rejected: [] },
    }
    const written = withStoredPositions(
      { ...checkpoint, integration: "zoom" },
      storedPositions(zoom, positions),
    )
    expect(written.version).toBe(2)
    expect(written.position).toBeUndefined()
    const read = Either.getOrThrow(decodeCheckpoint(encodeCheckpoint(written)))
    expect(Either.getOrThrow(decodePositions(zoom, positionsFrom(zoom, storedPositionsOf(read))))).toEqual(
      positions,
    )
  })

  it("a next_cursor sealed before streams existed still resumes Okta", () => {
    const codec = makeCursorCodec("s".repeat(40))
    const cursor = codec.encode("acct", {}, oktaNext)
    const sealed = Either.getOrThrow(codec.decode(cursor, "acct", {}))
    expect(Either.getOrThrow(decodePositions(okta, positionsFrom(okta, sealed)))).toEqual({
      system_log: oktaNext,
    })
  })

  it("a position that does not fit its stream is refused, naming the stream", () => {
    const refused = decodePositions(okta, { system_log: { next: "/api/v1/users?limit=1" } })
    expect(Either.isLeft(refused) && refused.left.startsWith("system_log:")).toBe(true)
  })
})
