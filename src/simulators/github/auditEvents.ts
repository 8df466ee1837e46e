// Realistic organization audit-log events from a seed, in the shape GitHub documents and others recorded
// (GitHub's REST example, Elastic's and grove's fixtures): epoch-ms `@timestamp` equal to `created_at`, a
// 22-character `_document_id`, `actor`/`actor_id`, `actor_location.country_code`, `org`/`org_id`, and per
// action `user`/`user_id`, `team`, `repo`, `visibility`. Sign-ins appear as `org.sso_response` (the org
// audit log has no `user.login`); GitHub documents no outcome field on it, so none is invented here. The
// SAML identity fields on it follow GitHub's "SAML SSO identity" audit-log fields; their exact names on this
// event are not confirmed.

import { seededRandom } from "../kit/seededRandom.ts"

type Event = Record<string, unknown>

export type MalformedEvent = "missing-action" | "string-timestamp"

const FIRST = ["ana", "ben", "chloe", "dev", "elif", "farid", "grace", "hugo", "ines", "jonas", "kai", "lena"]
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "JP", "CA"]
const TEAMS = ["platform", "security", "web", "data", "mobile"]
const REPOS = ["api", "web-app", "infra", "docs", "billing", "mobile-ios"]
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

export interface GeneratedEvent {
  /** Epoch ms the event occurred at. */
  readonly at: number
  readonly event: Event
}

export interface AuditEventGenerator {
  readonly org: string
  readonly orgId: number
  /** `count` events spread over `spanMs` before `now`, oldest first; about a quarter share a second with the one before. */
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedEvent>
  /** `count` events all at `now`. */
  readonly burst: (count: number, now: number) => Array<GeneratedEvent>
  readonly malformed: (flaw: MalformedEvent, now: number) => GeneratedEvent
}

export const auditEventGenerator = (seed: number, org = "acme-corp"): AuditEventGenerator => {
  const { next, int, pick, chars } = seededRandom(seed)
  const orgId = 90_000_000 + int(1_000_000)
  const people = FIRST.map((first, i) => ({
    login: `${first}-${chars("abcdefghijklmnopqrstuvwxyz", 3)}`,
    id: 1_000_000 + i * 7919 + int(5000),
    country: pick(COUNTRIES),
  }))
  const owners = people.slice(0, 2)

  const actorFields = (person: { login: string; id: number; country: string }) => ({
    actor: person.login,
    actor_id: person.id,
    actor_is_bot: false,
    actor_location: { country_code: person.country },
  })

  const one = (at: number): Event => {
    const owner = pick(owners)
    const person = pick(people)
    const target = { user: person.login, user_id: person.id }
    const base = {
      "@timestamp": at,
      created_at: at,
      _document_id: chars(BASE64URL, 22),
      org,
      org_id: orgId,
      business: "acme",
      business_id: 4_200,
    }
    const roll = next()
    if (roll < 0.35) {
      return {
        ...base,
        action: "org.sso_response",
        operation_type: "authentication",
        ...actorFields(person),
        external_identity_nameid: `${person.login.split("-")[0]}@acme.example`,
        external_identity_username: `${person.login.split("-")[0]}@acme.example`,
      }
    }
    if (roll < 0.45) {
      return {
        ...base,
        action: "org.invite_member",
        operation_type: "create",
        ...actorFields(owner),
        ...target,
      }
    }
    if (roll < 0.55) {
      return { ...base, action: "org.add_member", operation_type: "create", ...actorFields(owner), ...target }
    }
    if (roll < 0.62) {
      return {
        ...base,
        action: "org.remove_member",
        operation_type: "remove",
        ...actorFields(owner),
        ...target,
      }
    }
    if (roll < 0.68) {
      const admin = next() < 0.5
      return {
        ...base,
        action: "org.update_member",
        operation_type: "modify",
        ...actorFields(owner),
        ...target,
        permission: admin ? "admin" : "read",
        old_permission: admin ? "read" : "admin",
      }
    }
    if (roll < 0.8) {
      const team = `${org}/${pick(TEAMS)}`
      return {
        ...base,
        action: "team.add_member",
        operation_type: "modify",
        ...actorFields(owner),
        ...target,
        team,
        data: { team },
      }
    }
    if (roll < 0.85) {
      const team = `${org}/${pick(TEAMS)}-${int(100)}`
      return {
        ...base,
        action: "team.create",
        operation_type: "create",
        ...actorFields(owner),
        team,
        data: { team },
      }
    }
    if (roll < 0.93) {
      return {
        ...base,
        action: "repo.create",
        operation_type: "create",
        ...actorFields(person),
        repo: `${org}/${pick(REPOS)}-${int(1000)}`,
        visibility: next() < 0.8 ? "private" : "internal",
      }
    }
    if (roll < 0.97) {
      return {
        ...base,
        action: "repo.destroy",
        operation_type: "remove",
        ...actorFields(owner),
        repo: `${org}/${pick(REPOS)}-${int(1000)}`,
        visibility: "private",
      }
    }
    return {
      ...base,
      action: "org.cancel_invitation",
      operation_type: "remove",
      ...actorFields(owner),
      ...target,
    }
  }

  return {
    org,
    orgId,
    history: (count, now, spanMs) => {
      const times = Array.from({ length: count }, () => Math.floor(now - next() * spanMs)).sort(
        (a, b) => a - b,
      )
      for (let i = 1; i < times.length; i++) {
        const previous = times[i - 1] as number
        // A burst of membership changes: the same second, now and then the very same millisecond.
        if (next() < 0.25) times[i] = next() < 0.5 ? previous : Math.floor(previous / 1000) * 1000 + int(1000)
      }
      times.sort((a, b) => a - b)
      return times.map((at) => ({ at, event: one(at) }))
    },
    burst: (count, now) => Array.from({ length: count }, () => ({ at: now, event: one(now) })),
    malformed: (flaw, now) => {
      const event = one(now)
      if (flaw === "missing-action") {
        const { action: _action, ...rest } = event
        return { at: now, event: rest }
      }
      return { at: now, event: { ...event, "@timestamp": new Date(now).toISOString() } }
    },
  }
}
