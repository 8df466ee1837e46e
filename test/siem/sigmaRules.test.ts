import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import ajvFormats from "ajv-formats"
import { Effect } from "effect"
import { atlassian } from "../../src/providers/atlassian/index.ts"
import { okta } from "../../src/providers/okta/index.ts"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { ELSEWHERE, type OktaUser, oktaStaging, SPRAYER } from "./oktaStaging.ts"
import { RECORDED_AT, type RecordedTopics, record } from "./recordedTopics.ts"
import {
  type Hit,
  isCorrelation,
  matches,
  parseCondition,
  parseSigmaFile,
  type SigmaRule,
  sigmaCollection,
} from "./sigmaEvaluator.ts"

// siem/sigma/*.yml: valid against Sigma's own JSON Schemas, and each alerting rule fires on recorded
// simulator output where its pattern was staged and stays silent on the same output without it.

const root = join(import.meta.dirname, "../..")
const sigmaDir = join(root, "siem/sigma")
const files = readdirSync(sigmaDir).filter((f) => f.endsWith(".yml"))
const rulesOf = (file: string) => parseSigmaFile(readFileSync(join(sigmaDir, file), "utf8"))
const allRules: ReadonlyArray<SigmaRule> = files.flatMap(rulesOf)
const collection = sigmaCollection(allRules)

// The published schemas use words Ajv's strict mode refuses (`gt`, `gte`, … as schema names inside `anyOf`,
// `items` beside `type: object`); strict off, they validate as Sigma's own tooling reads them.
const ajv = new Ajv2020({ strict: false, allErrors: true })
// ajv-formats is CommonJS: its plugin is the module's `default` (and the module itself).
ajvFormats.default(ajv)
const schema = (file: string) =>
  ajv.compile(JSON.parse(readFileSync(join(root, "test/fixtures/sigma", file), "utf8")))
const validDetection = schema("sigma-detection-rule-schema.json")
const validCorrelation = schema("sigma-correlation-rules-schema.json")

/** The alerting rules, by the name or id the tests use. */
const ALERTS = {
  bruteForce: "user_directory_brute_force",
  spraying: "user_directory_password_spraying",
  successAfterFailures: "ab990db6-b1a5-47f6-9856-73c776d0d160",
  newSourceIp: "user_directory_new_source_ip",
  newCountry: "okta_new_country",
  newAsn: "okta_new_asn",
  mfaFatigue: "77cbf4cc-701a-43d9-943f-00ce9f54b957",
  privileged: "ac664708-b31a-4287-ae5a-aa19f382c9a5",
} as const

const hits = (ref: string, recorded: RecordedTopics): ReadonlyArray<Hit> =>
  collection.hitsOf(ref, { activities: recorded.activities, login_failed: recorded.login_failed })

const MIN = 60_000
const recordOkta = (stage?: (staging: ReturnType<typeof oktaStaging>) => void) =>
  record(okta, startOktaSimulator({ seed: 42, historySize: 300 }), (sim: OktaSimulatorHandle) =>
    stage?.(oktaStaging(sim)),
  )

/** A user of the generated history with a sign-in from home, so a foreign one stands out. */
const userAt = (staging: ReturnType<typeof oktaStaging>, i: number): OktaUser => {
  const user = staging.users[i]
  if (!user) throw new Error(`the simulator has fewer than ${i + 1} users`)
  return user
}

describe("siem/sigma rules are valid Sigma", () => {
  it("every document validates against Sigma's JSON Schema for its kind", () => {
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const file of files) {
      for (const rule of rulesOf(file)) {
        const validate = isCorrelation(rule) ? validCorrelation : validDetection
        expect({ file, title: rule.title, valid: validate(rule), errors: validate.errors ?? null }).toEqual({
          file,
          title: rule.title,
          valid: true,
          errors: null,
        })
      }
    }
  })

  it("the validators are not vacuous: broken rules are refused", () => {
    expect(validDetection({ title: "no detection", logsource: {} })).toBe(false)
    expect(
      validDetection({
        title: "bad level",
        logsource: {},
        detection: { condition: "s", s: {} },
        level: "urgent",
      }),
    ).toBe(false)
    expect(
      validCorrelation({
        title: "no group-by",
        correlation: { type: "event_count", rules: ["ab"], timespan: "1m" },
      }),
    ).toBe(false)
    expect(
      validCorrelation({
        title: "bad type",
        correlation: { type: "sometimes", rules: ["ab"], timespan: "1m" },
      }),
    ).toBe(false)
  })

  it("ids are unique uuids, names unique, and every correlation's rules resolve", () => {
    const ids = allRules.map((r) => r.id)
    expect(ids.every((id) => typeof id === "string")).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    for (const rule of allRules.filter(isCorrelation)) {
      for (const ref of rule.correlation.rules) expect(() => collection.lookup(ref)).not.toThrow()
    }
  })

  it("detection rules read only Activity fields (remote_data.* is the raw provider record)", () => {
    const activityFields = ["action", "actor.user.id", "actor.type", "context.ip_address", "created_at"]
    for (const rule of allRules) {
      const fields = isCorrelation(rule)
        ? [
            ...rule.correlation["group-by"],
            ...(typeof rule.correlation.condition?.field === "string"
              ? [rule.correlation.condition.field]
              : []),
          ]
        : Object.entries(rule.detection).flatMap(([key, search]) =>
            key === "condition" ? [] : Object.keys(search as object).map((k) => k.split("|")[0] as string),
          )
      for (const field of fields) {
        expect(
          activityFields.includes(field) || field.startsWith("remote_data."),
          `${rule.title}: ${field}`,
        ).toBe(true)
      }
    }
  })
})

describe("the evaluator", () => {
  const event = {
    action: "login_failed",
    actor: { user: { id: "00uA" } },
    context: { ip_address: "192.0.2.1" },
  }
  const rule = (detection: Record<string, unknown>) =>
    ({ title: "t", logsource: { service: "activities" }, detection }) as never

  it("equality is case-insensitive with wildcards; contains/startswith/endswith; lists are OR", () => {
    expect(matches(rule({ s: { action: "LOGIN_FAILED" }, condition: "s" }), event)).toBe(true)
    expect(matches(rule({ s: { action: "login*" }, condition: "s" }), event)).toBe(true)
    expect(matches(rule({ s: { action: "login" }, condition: "s" }), event)).toBe(false)
    expect(matches(rule({ s: { "action|contains": "_fail" }, condition: "s" }), event)).toBe(true)
    expect(matches(rule({ s: { "context.ip_address|startswith": "192.0.2." }, condition: "s" }), event)).toBe(
      true,
    )
    expect(matches(rule({ s: { "actor.user.id|endswith": "a" }, condition: "s" }), event)).toBe(true)
    expect(matches(rule({ s: { action: ["login", "login_failed"] }, condition: "s" }), event)).toBe(true)
    expect(matches(rule({ s: { "action|contains|all": ["login", "zz"] }, condition: "s" }), event)).toBe(
      false,
    )
    expect(matches(rule({ s: { "context.user_agent": null }, condition: "s" }), event)).toBe(true)
  })

  it("conditions: not binds tighter than and, and tighter than or; parentheses group", () => {
    const yes = { action: "login_failed" }
    const no = { action: "logout" }
    const d = { t: yes, f: no, condition: "" }
    const run = (condition: string) => matches(rule({ ...d, condition }), event)
    expect(run("t and not f")).toBe(true)
    expect(run("f or t and not f")).toBe(true)
    expect(run("(f or t) and f")).toBe(false)
    expect(run("not (t and f)")).toBe(true)
    expect(() => parseCondition("1 of sel*")).toThrow(/unsupported/)
    expect(() => matches(rule({ s: { "action|re": "x" }, condition: "s" }), event)).toThrow(/modifier/)
  })

  it("event_count and value_count count within the timespan per group; temporal_ordered needs the order", () => {
    const at = (minute: number, user: string, ip: string, action = "login_failed") => ({
      action,
      actor: { user: { id: user } },
      context: { ip_address: ip },
      created_at: new Date(RECORDED_AT + minute * MIN).toISOString(),
    })
    const c = sigmaCollection([
      {
        title: "f",
        name: "f",
        logsource: { service: "s" },
        detection: { s: { action: "login_failed" }, condition: "s" },
      },
      {
        title: "ok",
        name: "ok",
        logsource: { service: "s" },
        detection: { s: { action: "login" }, condition: "s" },
      },
      {
        title: "three in 5m",
        name: "three",
        correlation: {
          type: "event_count",
          rules: ["f"],
          "group-by": ["actor.user.id"],
          timespan: "5m",
          condition: { gte: 3 },
        },
      },
      {
        title: "two users per ip in 5m",
        name: "two",
        correlation: {
          type: "value_count",
          rules: ["f"],
          "group-by": ["context.ip_address"],
          timespan: "5m",
          condition: { field: "actor.user.id", gte: 2 },
        },
      },
      {
        title: "three then ok",
        name: "then",
        correlation: {
          type: "temporal_ordered",
          rules: ["three", "ok"],
          "group-by": ["actor.user.id"],
          timespan: "10m",
        },
      },
    ])
    const spread = { s: [at(0, "u1", "a"), at(3, "u1", "a"), at(6, "u1", "a"), at(12, "u2", "a")] }
    expect(c.hitsOf("three", spread)).toHaveLength(0)
    expect(c.hitsOf("two", spread)).toHaveLength(0)
    const burst = {
      s: [at(0, "u1", "a"), at(1, "u1", "a"), at(2, "u1", "a"), at(3, "u2", "a"), at(4, "u1", "b", "login")],
    }
    expect(c.hitsOf("three", burst).map((h) => h.field("actor.user.id"))).toEqual(["u1"])
    expect(c.hitsOf("two", burst).map((h) => h.field("context.ip_address"))).toEqual(["a"])
    expect(c.hitsOf("then", burst).map((h) => h.field("actor.user.id"))).toEqual(["u1"])
    // The success before the failures is no success after them.
    const reversed = { s: [at(0, "u1", "b", "login"), at(1, "u1", "a"), at(2, "u1", "a"), at(3, "u1", "a")] }
    expect(c.hitsOf("then", reversed)).toHaveLength(0)
  })
})

describe("the rules over recorded Okta simulator output", () => {
  it.scoped("the unstaged recording (300 generated events, 80 failed sign-ins) raises no alert", () =>
    Effect.gen(function* () {
      const recorded = yield* recordOkta()
      expect(recorded.activities.length).toBe(300)
      // The generator's own failed-sign-in bursts are there, below every threshold.
      expect(recorded.login_failed.length).toBeGreaterThan(20)
      // The login_failed topic also carries raw failed sign-ins (lockouts, denied pushes, policy denials: see
      // docs/records.md, "Failed sign-ins"); the failed sign-in rule matches exactly its login_failed rows.
      expect(hits("user_directory_login_failed", recorded).length).toBe(
        recorded.login_failed.filter((a) => a.action === "login_failed").length,
      )
      for (const [alert, ref] of Object.entries(ALERTS)) {
        expect({ alert, hits: hits(ref, recorded).length }).toEqual({ alert, hits: 0 })
      }
    }),
  )

  it.scoped(
    "brute force: 12 failures for one user in 4 minutes fire it; success-after-failures stays silent",
    () =>
      Effect.gen(function* () {
        let victim: OktaUser | undefined
        const recorded = yield* recordOkta((s) => {
          victim = userAt(s, 7)
          s.failedLogins(victim, 12, RECORDED_AT - 50 * MIN, 20_000)
        })
        const fired = hits(ALERTS.bruteForce, recorded)
        expect(fired.length).toBeGreaterThan(0)
        expect(new Set(fired.map((h) => h.field("actor.user.id")))).toEqual(new Set([victim?.id]))
        expect(hits(ALERTS.successAfterFailures, recorded)).toHaveLength(0)
        expect(hits(ALERTS.spraying, recorded)).toHaveLength(0)
      }),
  )

  it.scoped("success after failures: the same burst, then the user's sign-in 3 minutes later", () =>
    Effect.gen(function* () {
      let victim: OktaUser | undefined
      const recorded = yield* recordOkta((s) => {
        victim = userAt(s, 7)
        s.failedLogins(victim, 12, RECORDED_AT - 50 * MIN, 20_000)
        s.login(victim, RECORDED_AT - 43 * MIN, SPRAYER)
      })
      const fired = hits(ALERTS.successAfterFailures, recorded)
      expect(fired.map((h) => h.field("actor.user.id"))).toEqual([victim?.id])
      expect(fired[0]?.events.at(-1)).toMatchObject({ action: "login", context: { ip_address: SPRAYER.ip } })
    }),
  )

  it.scoped(
    "password spraying: one address failing for 12 users in 12 minutes; no user reaches brute force",
    () =>
      Effect.gen(function* () {
        const recorded = yield* recordOkta((s) => {
          s.users.slice(0, 12).forEach((user, i) => {
            s.failedLogins(user, 1, RECORDED_AT - 30 * MIN + i * MIN, 0, SPRAYER)
          })
        })
        const fired = hits(ALERTS.spraying, recorded)
        expect(new Set(fired.map((h) => h.field("context.ip_address")))).toEqual(new Set([SPRAYER.ip]))
        expect(hits(ALERTS.bruteForce, recorded)).toHaveLength(0)
      }),
  )

  it.scoped(
    "new source: a user signing in from another address, country and ASN than in the day before",
    () =>
      Effect.gen(function* () {
        let user: OktaUser | undefined
        const recorded = yield* recordOkta((s) => {
          user = s.usersSigningIn[0]
          if (!user) throw new Error("no user")
          s.login(user, RECORDED_AT - 5 * MIN, ELSEWHERE)
        })
        for (const ref of [ALERTS.newSourceIp, ALERTS.newCountry, ALERTS.newAsn]) {
          expect({
            ref,
            users: [...new Set(hits(ref, recorded).map((h) => h.field("actor.user.id")))],
          }).toEqual({
            ref,
            users: [user?.id],
          })
        }
      }),
  )

  it.scoped("MFA fatigue: 5 denied pushes in 2 minutes, on the activities and the login_failed topics", () =>
    Effect.gen(function* () {
      let user: OktaUser | undefined
      const recorded = yield* recordOkta((s) => {
        user = userAt(s, 4)
        s.deniedPushes(user, 5, RECORDED_AT - 20 * MIN, 30_000)
      })
      expect(hits(ALERTS.mfaFatigue, recorded).map((h) => h.field("actor.user.id"))).toContain(user?.id)
      const denials = (topic: ReadonlyArray<Record<string, unknown>>) =>
        topic.filter(
          (a) =>
            a.action === "user.mfa.okta_verify.deny_push" &&
            (a.actor as { user?: { id?: string } } | undefined)?.user?.id === user?.id,
        ).length
      expect(denials(recorded.activities)).toBe(5)
      // A denied push is a failed sign-in: it keeps its raw action and is routed to the login_failed topic too.
      expect(denials(recorded.login_failed)).toBe(5)
    }),
  )

  it.scoped("MFA: two denied pushes are below the burst", () =>
    Effect.gen(function* () {
      const recorded = yield* recordOkta((s) => {
        s.deniedPushes(userAt(s, 4), 2, RECORDED_AT - 20 * MIN, 30_000)
      })
      expect(hits(ALERTS.mfaFatigue, recorded)).toHaveLength(0)
    }),
  )

  it.scoped("privileged role: an Okta user.account.privilege.grant fires it", () =>
    Effect.gen(function* () {
      const recorded = yield* recordOkta((s) => {
        s.privilegeGrant(userAt(s, 0), userAt(s, 9), RECORDED_AT - 15 * MIN)
      })
      expect(hits(ALERTS.privileged, recorded).map((h) => h.events[0]?.action)).toEqual([
        "user.account.privilege.grant",
      ])
    }),
  )
})

describe("the privileged-role rule over another provider", () => {
  it.scoped("fires on the Atlassian simulator's added_org_admin and user_granted_role, only on those", () =>
    Effect.gen(function* () {
      const recorded = yield* record(atlassian, startAtlassianSimulator({ seed: 31, historySize: 200 }))
      const fired = hits(ALERTS.privileged, recorded)
      const actions = new Set(fired.map((h) => h.events[0]?.action))
      expect(actions.size).toBeGreaterThan(0)
      for (const action of actions) expect(["added_org_admin", "user_granted_role"]).toContain(action)
      const expected = recorded.activities.filter(
        (a) => a.action === "added_org_admin" || a.action === "user_granted_role",
      )
      expect(fired).toHaveLength(expected.length)
    }),
  )
})
