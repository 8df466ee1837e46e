import { describe, expect, it } from "vitest"
import {
  type ConnectorTopics,
  formatMs,
  oldestCreatedAt,
  type PublishStart,
  retentionProblems,
  type TopicRetention,
} from "../../src/pipeline/retentionProblems.ts"

const DAY = 86_400_000
const now = Date.parse("2026-12-01T00:00:00Z")
const daysAgo = (n: number) => new Date(now - n * DAY).toISOString()

const createTime = (topic: string, retentionMs: number, cleanupPolicy = ["delete"]): TopicRetention => ({
  topic,
  timestampType: "CreateTime",
  retentionMs,
  cleanupPolicy,
})
const logAppendTime = (topic: string, retentionMs: number): TopicRetention => ({
  ...createTime(topic, retentionMs),
  timestampType: "LogAppendTime",
})

/** What the connector creates: LogAppendTime with the broker's default retention, checkpoints compacted. */
const created: ConnectorTopics = {
  activities: logAppendTime("acts", 7 * DAY),
  login_failed: logAppendTime("acts.login_failed", 7 * DAY),
  dead_letter: logAppendTime("acts.dead-letter", 7 * DAY),
  checkpoints: createTime("acts.checkpoints", 7 * DAY, ["compact"]),
}
/** What an operator created with the broker's defaults: CreateTime, 7 days. */
const operatorDefaults: ConnectorTopics = {
  activities: createTime("acts", 7 * DAY),
  login_failed: createTime("acts.login_failed", 7 * DAY),
  dead_letter: createTime("acts.dead-letter", 7 * DAY),
  checkpoints: createTime("acts.checkpoints", 7 * DAY, ["compact"]),
}

const okta = (from: string, via = `start_from: ${from}`): PublishStart => ({
  accountId: "9342a527-27bc-4a67-af0d-9837377431f1",
  integration: "okta",
  from,
  via,
  historyRetentionMs: 90 * DAY,
})
const zendesk = (from: string): PublishStart => ({
  accountId: "12007081-f05a-42a4-ad6f-26ba5e2a4cf8",
  integration: "zendesk",
  from,
  via: `start_from: ${from}`,
  historyRetentionMs: undefined,
})

describe("oldestCreatedAt", () => {
  it("now: nothing older than now; earliest: the provider's history, unbounded when unknown", () => {
    expect(oldestCreatedAt(okta("now"), now)).toBe(now)
    expect(oldestCreatedAt(okta("earliest"), now)).toBe(now - 90 * DAY)
    expect(oldestCreatedAt(zendesk("earliest"), now)).toBeUndefined()
  })

  it("an instant, clamped to what the provider keeps", () => {
    expect(oldestCreatedAt(okta(daysAgo(10)), now)).toBe(now - 10 * DAY)
    expect(oldestCreatedAt(okta(daysAgo(400)), now)).toBe(now - 90 * DAY)
    expect(oldestCreatedAt(zendesk(daysAgo(400)), now)).toBe(now - 400 * DAY)
  })
})

describe("retentionProblems", () => {
  it("topics the connector created (LogAppendTime) are safe for any start", () => {
    expect(retentionProblems(created, [okta("earliest"), zendesk("earliest")], now)).toEqual([])
  })

  it("a CreateTime topic with finite retention and an account starting earlier: refused, saying what and how to fix", () => {
    const problems = retentionProblems(operatorDefaults, [okta("earliest")], now)
    // activities and login_failed; dead letters are stamped when published, so their topic is not at fault.
    expect(problems).toHaveLength(2)
    const [activities, loginFailed] = problems
    expect(activities).toContain(
      "topic acts has message.timestamp.type=CreateTime and retention.ms=604800000 (7d)",
    )
    expect(activities).toContain(
      "9342a527-27bc-4a67-af0d-9837377431f1 (okta, start_from: earliest: activity up to 90d old)",
    )
    expect(activities).toContain("set message.timestamp.type=LogAppendTime on the topic")
    expect(activities).toContain(
      "--alter --entity-type topics --entity-name acts --add-config message.timestamp.type=LogAppendTime",
    )
    expect(activities).toContain("or raise its retention.ms above 7776000000 (90d")
    expect(loginFailed).toContain("topic acts.login_failed has message.timestamp.type=CreateTime")
    expect(problems.join("\n")).not.toContain("acts.dead-letter")
  })

  it("an account starting now, or from an instant within retention, is safe on the same topics", () => {
    expect(retentionProblems(operatorDefaults, [okta("now"), okta(daysAgo(6))], now)).toEqual([])
    const problems = retentionProblems(operatorDefaults, [okta("now"), okta(daysAgo(8))], now)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toContain(`(okta, start_from: ${daysAgo(8)}: activity up to 8d old)`)
    expect(problems[0]).toContain("raise its retention.ms above 691200000 (8d")
  })

  it("the provider's known history bounds earliest; an unknown one does not", () => {
    const longer: ConnectorTopics = {
      ...operatorDefaults,
      activities: createTime("acts", 100 * DAY),
      login_failed: createTime("acts.login_failed", 100 * DAY),
    }
    expect(retentionProblems(longer, [okta("earliest"), okta(daysAgo(365))], now)).toEqual([])
    const problems = retentionProblems(longer, [okta("earliest"), zendesk("earliest")], now)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toContain(
      "12007081-f05a-42a4-ad6f-26ba5e2a4cf8 (zendesk, start_from: earliest: activity of any age)",
    )
    expect(problems[0]).not.toContain("9342a527")
    expect(problems[0]).toContain("or set its retention.ms=-1")
  })

  it("no time deletion: infinite retention, or a compact-only topic", () => {
    const infinite: ConnectorTopics = {
      ...operatorDefaults,
      activities: createTime("acts", -1),
      login_failed: createTime("acts.login_failed", -1),
    }
    expect(retentionProblems(infinite, [zendesk("earliest")], now)).toEqual([])
    const compacted: ConnectorTopics = {
      ...operatorDefaults,
      activities: createTime("acts", DAY, ["compact"]),
      login_failed: createTime("acts.login_failed", DAY, ["compact"]),
    }
    expect(retentionProblems(compacted, [zendesk("earliest")], now)).toEqual([])
    const both: ConnectorTopics = {
      ...operatorDefaults,
      activities: createTime("acts", DAY, ["compact", "delete"]),
    }
    expect(retentionProblems(both, [zendesk("earliest")], now)[0]).toContain("topic acts has")
  })

  it("activities and login_failed on one topic: one line for it", () => {
    const same: ConnectorTopics = { ...operatorDefaults, login_failed: createTime("acts", 7 * DAY) }
    expect(retentionProblems(same, [okta("earliest")], now)).toHaveLength(1)
  })

  it("a backfill names itself", () => {
    const since = daysAgo(60)
    const problems = retentionProblems(operatorDefaults, [okta(since, `backfill --since ${since}`)], now)
    expect(problems[0]).toContain(`(okta, backfill --since ${since}: activity up to 60d old)`)
  })

  it("the checkpoint topic must stay compact-only: time deletion loses idle accounts' positions", () => {
    for (const cleanupPolicy of [["compact", "delete"], ["delete"]]) {
      const problems = retentionProblems(
        { ...created, checkpoints: createTime("acts.checkpoints", 7 * DAY, cleanupPolicy) },
        [okta("now")],
        now,
      )
      expect(problems).toEqual([
        expect.stringContaining(
          `topic acts.checkpoints (checkpoints) has cleanup.policy=${cleanupPolicy.join(",")} and retention.ms=604800000 (7d)`,
        ),
      ])
      expect(problems[0]).toContain("set cleanup.policy=compact on the topic")
    }
    const keptForever = { ...created, checkpoints: createTime("acts.checkpoints", -1, ["compact", "delete"]) }
    expect(retentionProblems(keptForever, [okta("now")], now)).toEqual([])
  })
})

describe("formatMs", () => {
  it("the largest unit that divides the value", () => {
    expect(formatMs(7 * DAY)).toBe("7d")
    expect(formatMs(36 * 3_600_000)).toBe("36h")
    expect(formatMs(90 * 60_000)).toBe("90m")
    expect(formatMs(1500)).toBe("1500ms")
    expect(formatMs(-1)).toBe("infinite")
  })
})
