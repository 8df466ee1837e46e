// Realistic activity log events for the simulated Figma organization, from a seed. The shape is the one of
// Figma's documented example (developers.figma.com activity-logs-events: `org_user_delete`, with `actor`,
// `action{type,details}`, `entity` of type `user`, `context{client_name, ip_address,
// is_figma_support_team_action, org_id, team_id}`), `timestamp` in Unix seconds and ids as long digit strings.
// The action types are those of the activity-log filter and the note's list; the sign-in/out names are assumed
// (see src/providers/figma/toActivity.ts). Figma logs no failed sign-in, so none is generated.

import { seededRandom } from "../kit/seededRandom.ts"

type Json = Record<string, unknown>

export type MalformedRecord = "missing-id" | "text-timestamp"

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena"]
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes"]
// Documentation address ranges (RFC 5737), so the data can never point at a real network.
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const FILES = ["Checkout flow", "Design system", "Onboarding v3", "Q3 roadmap board", "Icon library"]
const TEAMS = ["Growth", "Platform", "Brand", "Mobile"]

export interface FigmaPerson {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly ip: string
}

export interface FigmaEvents {
  readonly orgId: string
  readonly people: ReadonlyArray<FigmaPerson>
  /** One event at `atSeconds`. */
  readonly event: (atSeconds: number) => Json
  readonly malformed: (flaw: MalformedRecord, atSeconds: number) => Json
}

export const figmaEvents = (seed: number): FigmaEvents => {
  const { int, pick, chars } = seededRandom(seed)
  const digits = (length: number) => `1${chars("0123456789", length - 1)}`
  const orgId = digits(19)
  const people: FigmaPerson[] = Array.from({ length: 10 }, (_, i) => {
    const first = FIRST[i % FIRST.length] as string
    const last = LAST[(i * 5) % LAST.length] as string
    return {
      id: digits(19),
      name: `${first} ${last}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}@acme.example`,
      ip: `${pick(NETWORKS)}${10 + int(200)}`,
    }
  })
  const admins = people.slice(0, 2)
  const teams = TEAMS.map((name) => ({ id: digits(19), name }))
  const files = FILES.map((name) => ({
    key: chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 22),
    name,
  }))
  const actorOf = (person: FigmaPerson) => ({
    type: "user",
    id: person.id,
    name: person.name,
    email: person.email,
  })
  const userEntity = (person: FigmaPerson) => ({
    type: "user",
    id: person.id,
    name: person.name,
    email: person.email,
  })
  const context = (ip: string, teamId: string | null = null) => ({
    client_name: null,
    ip_address: ip,
    is_figma_support_team_action: false,
    org_id: orgId,
    team_id: teamId,
  })
  const fileEntity = () => {
    const file = pick(files)
    return {
      type: "file",
      key: file.key,
      name: file.name,
      editor_type: pick(["figma", "figjam"]),
      link_access: pick(["inherit", "org_view", "view"]),
      proto_link_access: "inherit",
    }
  }

  const event = (atSeconds: number): Json => {
    const id = digits(19)
    const roll = int(100)
    const person = pick(people)
    const admin = pick(admins)
    const team = pick(teams)
    if (roll < 30) {
      // Signing in or out: the person is both actor and entity.
      return {
        id,
        timestamp: atSeconds,
        actor: actorOf(person),
        action: { type: roll < 20 ? "user_sign_in" : "user_sign_out", details: null },
        entity: userEntity(person),
        context: context(person.ip),
      }
    }
    if (roll < 40) {
      const created = roll < 35
      return {
        id,
        timestamp: atSeconds,
        actor: roll % 2 === 0 ? { ...actorOf(admin), name: "SCIM Provider" } : actorOf(admin),
        action: {
          type: created ? "org_user_create" : "org_user_delete",
          details: {
            permission: "member",
            figma_paid_status: pick(["full", "viewer"]),
            figjam_paid_status: "viewer",
          },
        },
        entity: userEntity(person),
        context: context(admin.ip),
      }
    }
    if (roll < 50) {
      return {
        id,
        timestamp: atSeconds,
        actor: actorOf(admin),
        action: { type: "org_invite_create", details: { permission: "member" } },
        entity: userEntity(person),
        context: context(admin.ip),
      }
    }
    if (roll < 75) {
      return {
        id,
        timestamp: atSeconds,
        actor: actorOf(person),
        action: { type: pick(["fig_file_create", "fig_file_export", "fig_file_trash"]), details: null },
        entity: fileEntity(),
        context: context(person.ip, team.id),
      }
    }
    if (roll < 85) {
      return {
        id,
        timestamp: atSeconds,
        actor: actorOf(admin),
        action: { type: pick(["team_create", "team_delete"]), details: null },
        entity: { type: "team", id: team.id, name: team.name },
        context: context(admin.ip, team.id),
      }
    }
    if (roll < 92) {
      // Figma's daily job purging the trash: no actor.
      return {
        id,
        timestamp: atSeconds,
        actor: null,
        action: { type: "fig_file_permanent_delete", details: null },
        entity: fileEntity(),
        context: { ...context(""), ip_address: "" },
      }
    }
    return {
      id,
      timestamp: atSeconds,
      actor: actorOf(person),
      action: { type: "user_idle_session_timeout", details: null },
      entity: userEntity(person),
      context: context(person.ip),
    }
  }

  const malformed = (flaw: MalformedRecord, atSeconds: number): Json => {
    const base = event(atSeconds)
    if (flaw === "missing-id") {
      const { id: _id, ...rest } = base
      return rest
    }
    return { ...base, timestamp: new Date(atSeconds * 1000).toISOString() }
  }

  return { orgId, people, event, malformed }
}
