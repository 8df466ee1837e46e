// Realistic Asana audit log events from a seed, in the AuditLogEvent shape of Asana's OpenAPI spec and of the
// events Panther's rule tests record: `{gid, created_at, event_type, event_category, actor, resource, details,
// context}`. Event types from Asana's "Supported audit log events": logins (a share of them failed), user
// lifecycle, roles, deletions, exports, admin settings and service accounts. Gids are 16 digits, as Asana's.

import { type SeededRandom, seededRandom } from "../kit/seededRandom.ts"

type AuditEvent = Record<string, unknown>

export type MalformedRecord = "missing-gid" | "zoneless-time"

const PEOPLE = [
  "Ana Okafor",
  "Ben Lindqvist",
  "Chloe Moreau",
  "Dev Tanaka",
  "Elif Silva",
  "Farid Novak",
  "Grace Haddad",
]
// Documentation address ranges (RFC 5737) only.
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Asana/2.3.0 (Macintosh; Electron)",
]
const LOGIN_METHODS = [["SAML"], ["PASSWORD"], ["GOOGLE"], ["ONE_TIME_KEY"]]

interface Kind {
  readonly type: string
  readonly category: string
  readonly resource: "user" | "task" | "project" | "team" | "workspace" | "attachment"
  readonly weight: number
}

/** What the generator draws from; a login in five fails. */
const KINDS: ReadonlyArray<Kind> = [
  { type: "user_login_succeeded", category: "logins", resource: "user", weight: 20 },
  { type: "user_login_failed", category: "logins", resource: "user", weight: 5 },
  { type: "user_logged_out", category: "logins", resource: "user", weight: 6 },
  { type: "user_invited", category: "user_updates", resource: "user", weight: 3 },
  { type: "user_deprovisioned", category: "user_updates", resource: "user", weight: 2 },
  { type: "user_reprovisioned", category: "user_updates", resource: "user", weight: 1 },
  { type: "user_workspace_admin_role_changed", category: "roles", resource: "user", weight: 2 },
  { type: "task_deleted", category: "deletion", resource: "task", weight: 4 },
  { type: "project_deleted", category: "deletion", resource: "project", weight: 2 },
  { type: "task_undeleted", category: "deletion", resource: "task", weight: 1 },
  { type: "team_created", category: "team_updates", resource: "team", weight: 2 },
  { type: "attachment_uploaded", category: "content_upload", resource: "attachment", weight: 2 },
  { type: "workspace_export_started", category: "content_export", resource: "workspace", weight: 1 },
  { type: "project_csv_export_started", category: "content_export", resource: "project", weight: 1 },
  { type: "service_account_created", category: "apps", resource: "user", weight: 1 },
  { type: "service_account_deleted", category: "apps", resource: "user", weight: 1 },
  {
    type: "workspace_associated_email_domain_added",
    category: "admin_settings",
    resource: "workspace",
    weight: 1,
  },
]
const TOTAL_WEIGHT = KINDS.reduce((sum, kind) => sum + kind.weight, 0)

export interface GeneratedRecord {
  /** Epoch ms of `created_at`. */
  readonly at: number
  readonly record: AuditEvent
}

export interface AuditLogRecords {
  /** `count` events over `spanMs` before `now`, oldest first; some share one instant. */
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedRecord>
  /** `count` events created at `now` (one instant, as a burst of activity is). */
  readonly burst: (count: number, now: number) => Array<GeneratedRecord>
  readonly malformed: (flaw: MalformedRecord, now: number) => GeneratedRecord
  readonly people: ReadonlyArray<{ readonly gid: string; readonly name: string; readonly email: string }>
}

const gidOf = (random: SeededRandom) => `12${random.chars("0123456789", 14)}`

export const auditLogRecords = (seed: number, workspace: { gid: string; name: string }): AuditLogRecords => {
  const random = seededRandom(seed)
  const people = PEOPLE.map((name) => ({
    gid: gidOf(random),
    name,
    email: `${name.toLowerCase().replace(" ", ".")}@acme.example`,
  }))
  const issued = new Set<string>()
  const newGid = () => {
    for (;;) {
      const gid = gidOf(random)
      if (!issued.has(gid)) {
        issued.add(gid)
        return gid
      }
    }
  }

  const pickKind = (): Kind => {
    let roll = random.int(TOTAL_WEIGHT)
    for (const kind of KINDS) {
      roll -= kind.weight
      if (roll < 0) return kind
    }
    return KINDS[0] as Kind
  }

  const resourceFor = (kind: Kind, subject: (typeof people)[number]) => {
    switch (kind.resource) {
      case "user":
        return { resource_type: "user", gid: subject.gid, name: subject.name, email: subject.email }
      case "workspace":
        return { resource_type: "workspace", gid: workspace.gid, name: workspace.name }
      case "task":
        return {
          resource_type: "task",
          resource_subtype: "default_task",
          gid: newGid(),
          name: "Q3 launch checklist",
        }
      default:
        return {
          resource_type: kind.resource,
          gid: newGid(),
          name: `${kind.resource} ${random.int(900) + 100}`,
        }
    }
  }

  const event = (at: number): AuditEvent => {
    const kind = pickKind()
    const actorPerson = random.pick(people)
    const subject = kind.category === "logins" ? actorPerson : random.pick(people)
    const viaApi = kind.category !== "logins" && random.int(6) === 0
    const context = viaApi
      ? {
          context_type: "api",
          api_authentication_method: random.pick(["personal_access_token", "oauth", "service_account"]),
          client_ip_address: `${random.pick(NETWORKS)}${random.int(254) + 1}`,
          user_agent: "python-asana/5.0.7",
        }
      : {
          context_type: random.pick(["web", "web", "desktop", "mobile"]),
          client_ip_address: `${random.pick(NETWORKS)}${random.int(254) + 1}`,
          user_agent: random.pick(AGENTS),
        }
    // A failed login may name someone Asana cannot tie to an account: anonymous, no gid.
    const anonymous = kind.type === "user_login_failed" && random.int(4) === 0
    const actor = anonymous
      ? { actor_type: "anonymous" }
      : kind.type === "user_deprovisioned" && random.int(3) === 0
        ? { actor_type: "asana" }
        : { actor_type: "user", gid: actorPerson.gid, name: actorPerson.name, email: actorPerson.email }
    const details =
      kind.category === "logins" && kind.type !== "user_logged_out"
        ? { method: random.pick(LOGIN_METHODS) }
        : kind.type === "user_workspace_admin_role_changed"
          ? { old_value: "member", new_value: "admin" }
          : kind.type === "workspace_associated_email_domain_added"
            ? { new_value: "acme-labs.example" }
            : {}
    return {
      gid: newGid(),
      created_at: new Date(at).toISOString(),
      event_type: kind.type,
      event_category: kind.category,
      actor,
      resource: resourceFor(kind, subject),
      details,
      context,
    }
  }

  return {
    people,
    history: (count, now, spanMs) => {
      const out: Array<GeneratedRecord> = []
      let at = now - spanMs
      const step = count > 0 ? spanMs / count : spanMs
      for (let i = 0; i < count; i++) {
        // One in five shares the previous event's instant: boundaries with several events at one time.
        if (i === 0 || random.int(5) !== 0)
          at = Math.min(now - 1, at + 1 + random.int(Math.max(1, Math.floor(step))))
        out.push({ at, record: event(at) })
      }
      return out
    },
    burst: (count, now) => Array.from({ length: count }, () => ({ at: now, record: event(now) })),
    malformed: (flaw, now) => {
      const record = event(now)
      if (flaw === "missing-gid") {
        const { gid: _gid, ...rest } = record
        return { at: now, record: rest }
      }
      return {
        at: now,
        record: { ...record, created_at: new Date(now).toISOString().replace("T", " ").replace("Z", "") },
      }
    },
  }
}
