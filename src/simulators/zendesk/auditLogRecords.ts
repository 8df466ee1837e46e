// Realistic audit log records for the simulated Zendesk account, from a seed. Shapes follow Zendesk's
// documented example and records observed by others (Panther's and Airbyte's tests): integer ids, `created_at`
// to the second with `Z`, `url` ending in `.json`. What the audit log records follows Zendesk's help: changes by
// agents and admins to users (updates, not creations), business rules (`rule`), API tokens, settings, exports,
// and sign-ins (action `login`). The texts of sign-in and export entries are illustrative: no documented
// example was found.

import { seededRandom } from "../kit/seededRandom.ts"

type Json = Record<string, unknown>

/** A record and the moment it belongs to (ms). */
export interface GeneratedRecord {
  readonly at: number
  readonly record: Json
}

/** `bad-time`: created_at without a zone; `missing-id`: no id. */
export type MalformedRecord = "bad-time" | "missing-id"

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena"]
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes"]
// Documentation address ranges (RFC 5737), so the data can never point at a real network.
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const ROLES = ["End User", "Agent", "Administrator", "Light Agent"]
const RULES = [
  "Trigger: Notify requester of received request",
  "Automation: Close ticket 4 days after status is set to solved",
  "Macro: Downgrade and inform",
  "View: Unassigned tickets",
]
const SETTINGS = [
  ["Security: Require two-factor authentication for agents", "Enabled"],
  ["Authentication: Allow password authentication for team members", "Disabled"],
  ["Email: Allow users to be added as CCs", "Enabled"],
] as const

/** Zendesk's form of an instant: whole seconds, `Z`. */
export const zendeskTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

export interface AuditLogRecords {
  /** People in the account: agents and admins act; end users are acted on. */
  readonly staff: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedRecord>
  /** `count` records all in the second of `now`. */
  readonly burst: (count: number, now: number) => Array<GeneratedRecord>
  readonly malformed: (flaw: MalformedRecord, now: number) => GeneratedRecord
}

export const auditLogRecords = (seed: number, origin: string): AuditLogRecords => {
  const { next, int, pick } = seededRandom(seed)
  const person = (i: number) => ({
    id: 360_000_000_000 + int(1_000_000_000) * 10 + i,
    name: `${FIRST[i % FIRST.length]} ${LAST[(i * 5) % LAST.length]}`,
    ip: `${pick(NETWORKS)}${10 + int(200)}`,
  })
  const staff = Array.from({ length: 6 }, (_, i) => person(i))
  const endUsers = Array.from({ length: 10 }, (_, i) => person(i + 6))
  const admins = staff.slice(0, 2)
  let nextId = 18_000_000_000_000 + int(1_000_000) * 1000

  const record = (at: number, fields: Json): GeneratedRecord => {
    const id = nextId++
    return {
      at,
      record: {
        url: `${origin}/api/v2/audit_logs/${id}.json`,
        id,
        ...fields,
        created_at: zendeskTime(at),
      },
    }
  }

  const signIn = (at: number) => {
    const who = pick(staff)
    return record(at, {
      action_label: "Signed in",
      actor_id: who.id,
      actor_name: who.name,
      source_id: who.id,
      source_type: "user",
      source_label: who.name,
      action: "login",
      change_description: pick([
        "Successful sign-in using Zendesk password",
        "Successful sign-in using Google",
      ]),
      ip_address: who.ip,
    })
  }

  const adminChange = (at: number) => {
    const admin = pick(admins)
    const target = pick([...staff, ...endUsers])
    const [action, action_label, source_type, source_id, source_label, change_description] = pick<
      readonly [string, string, string, number, string, string]
    >([
      [
        "update",
        "Updated",
        "user",
        target.id,
        target.name,
        `Role changed from ${pick(ROLES)} to ${pick(ROLES)}`,
      ],
      ["update", "Updated", "user", target.id, target.name, "Organization: Acme Support is assigned"],
      ["create", "Updated", "user_setting", target.id, `Suspension state: ${target.name}`, "Suspended"],
      ["update", "Updated", "user_setting", target.id, `Suspension state: ${target.name}`, "Unsuspended"],
      ["destroy", "Deleted", "user", target.id, target.name, "Deleted"],
      ["create", "Created", "rule", 360_100_000 + int(900_000), pick(RULES), "Created"],
      ["update", "Updated", "rule", 360_100_000 + int(900_000), pick(RULES), "Conditions changed"],
      ["destroy", "Deleted", "rule", 360_100_000 + int(900_000), pick(RULES), "Deleted"],
      ["create", "Created", "apitoken", 360_200_000 + int(900_000), "API token", ""],
      ["update", "Updated", "account_setting", 360_300_000 + int(9_000), ...pick(SETTINGS)],
      ["exported", "Exported", "account", 360_400_000, "Ticket export", "Exported tickets as CSV"],
    ])
    return record(at, {
      action_label,
      actor_id: admin.id,
      actor_name: admin.name,
      source_id,
      source_type,
      source_label,
      action,
      change_description,
      ip_address: admin.ip,
    })
  }

  const one = (at: number) => (next() < 0.4 ? signIn(at) : adminChange(at))

  return {
    staff: staff.map(({ id, name }) => ({ id, name })),
    history: (count, now, spanMs) => {
      const seconds = Array.from({ length: count }, () => Math.floor((now - next() * spanMs) / 1000)).sort(
        (a, b) => a - b,
      )
      // About a quarter of the records share their second with the one before (bulk changes).
      for (let i = 1; i < seconds.length; i++) if (next() < 0.25) seconds[i] = seconds[i - 1] as number
      return seconds.map((second) => one(second * 1000))
    },
    burst: (count, now) => Array.from({ length: count }, () => one(Math.floor(now / 1000) * 1000)),
    malformed: (flaw, now) => {
      const generated = one(now)
      const { id: _id, ...withoutId } = generated.record
      const record =
        flaw === "missing-id"
          ? withoutId
          : { ...generated.record, created_at: zendeskTime(now).replace("Z", "") }
      return { ...generated, record }
    },
  }
}
