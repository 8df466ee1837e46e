// The simulated portal's centralized audit log (`PublicApiUserActionEvent`), from a seed of its own so adding it
// left the login and security records of every seed as they were. Category, subcategory and action combinations
// are the ones HubSpot's guide and reference examples show (LOGIN/LOGIN_SUCCEEDED/PERFORM, CRM_OBJECT/CONTACT/
// CREATE, PROPERTY_VALUE/CONTACT/UPDATE, PIPELINE/DEAL/UPDATE, CRITICAL_ACTION/PRIVATE_APP_ACCESS_TOKEN_VIEW/
// PERFORM) plus a few of the same kind (a deleted deal, a company created); ids are long opaque strings, as there.

import { seededRandom } from "../kit/seededRandom.ts"
import { hubspotTime } from "./activityRecords.ts"

type Json = Record<string, unknown>

interface Kind {
  readonly category: string
  readonly subCategory: string
  readonly action: string
  readonly target: "user" | "record" | "pipeline" | "token"
}

const KINDS: ReadonlyArray<Kind> = [
  { category: "LOGIN", subCategory: "LOGIN_SUCCEEDED", action: "PERFORM", target: "user" },
  { category: "LOGIN", subCategory: "LOGIN_SUCCEEDED", action: "PERFORM", target: "user" },
  { category: "CRM_OBJECT", subCategory: "CONTACT", action: "CREATE", target: "record" },
  { category: "CRM_OBJECT", subCategory: "COMPANY", action: "CREATE", target: "record" },
  { category: "CRM_OBJECT", subCategory: "DEAL", action: "DELETE", target: "record" },
  { category: "PROPERTY_VALUE", subCategory: "CONTACT", action: "UPDATE", target: "record" },
  { category: "PROPERTY_VALUE", subCategory: "DEAL", action: "UPDATE", target: "record" },
  { category: "PIPELINE", subCategory: "DEAL", action: "UPDATE", target: "pipeline" },
  {
    category: "CRITICAL_ACTION",
    subCategory: "PRIVATE_APP_ACCESS_TOKEN_VIEW",
    action: "PERFORM",
    target: "token",
  },
]
const PIPELINES = ["Sales Pipeline", "Renewals", "Partner Deals"]
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

export interface AuditLogRecords {
  readonly history: (count: number, now: number, spanMs: number) => Array<{ at: number; record: Json }>
  readonly event: (at: number, fields?: Json) => Json
  /** True about a third of the time: how often a burst's record is an audit event. */
  readonly now: () => boolean
}

export const auditLogRecords = (
  seed: number,
  users: ReadonlyArray<{ readonly id: number; readonly email: string }>,
): AuditLogRecords => {
  const { next, int, pick, chars } = seededRandom(seed ^ 0x5eed_a0d1)
  const event = (at: number, fields: Json = {}): Json => {
    const who = pick(users)
    const kind = pick(KINDS)
    const targetObjectId =
      kind.target === "user"
        ? String(who.id)
        : kind.target === "record"
          ? String(90_000_000_000 + int(9_000_000_000))
          : kind.target === "pipeline"
            ? pick(PIPELINES)
            : String(1_000_000 + int(9_000_000))
    return {
      id: chars(ID_ALPHABET, 20 + int(40)),
      category: kind.category,
      subCategory: kind.subCategory,
      action: kind.action,
      targetObjectId,
      occurredAt: hubspotTime(at),
      actingUser: { userId: who.id, userEmail: who.email },
      ...fields,
    }
  }
  return {
    history: (count, now, spanMs) => {
      const times = Array.from({ length: count }, () => Math.floor(now - next() * spanMs)).sort(
        (a, b) => a - b,
      )
      // A CRM change writes several rows at one instant (the record and its property values).
      for (let i = 1; i < times.length; i++) if (next() < 0.25) times[i] = times[i - 1] as number
      return times.map((at) => ({ at, record: event(at) }))
    },
    event,
    now: () => next() < 0.35,
  }
}
