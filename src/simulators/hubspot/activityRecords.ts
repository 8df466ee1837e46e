// Realistic account-activity records for the simulated HubSpot portal, from a seed, in the shapes of HubSpot's
// OpenAPI spec and reference examples: `PublicLoginAudit` (login history, successes and failures) and
// `HydratedCriticalAction` (security activity). Ids are digit strings (each list numbers its own), times are
// UTC with milliseconds, user ids are int32s. Locations, agents and addresses are illustrative; addresses come
// from the documentation ranges (RFC 5737), so the data never points at a real network.

import { seededRandom } from "../kit/seededRandom.ts"

type Json = Record<string, unknown>

/** A record, the moment it belongs to (ms), and the list it is in. */
export interface GeneratedRecord {
  readonly stream: "login" | "security"
  readonly at: number
  readonly record: Json
}

/** `bad-time`: a login time without a zone; `missing-id`: a login without its id. */
export type MalformedRecord = "bad-time" | "missing-id"

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Reyes"]
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const PLACES = [
  { location: "Dublin, Ireland", countryCode: "ie", regionCode: "l" },
  { location: "Boston, United States", countryCode: "us", regionCode: "ma" },
  { location: "Berlin, Germany", countryCode: "de", regionCode: "be" },
  { location: "Singapore, Singapore", countryCode: "sg", regionCode: "01" },
] as const
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "HubSpot/6.112.0 (iPhone; iOS 18.1; Scale/3.00)",
]
/** Security `type` values (a sample of HubSpot's 151) and what `objectId` names for each. */
const SECURITY_TYPES: ReadonlyArray<readonly [string, "user" | "export" | "key"]> = [
  ["ADD_USER", "user"],
  ["REMOVE_USER", "user"],
  ["DEACTIVATE_USER", "user"],
  ["REACTIVATE_USER", "user"],
  ["ADD_ADMIN_USER", "user"],
  ["JOINED_PORTAL_VIA_DOMAIN_BASED_INVITE", "user"],
  ["EXPORT", "export"],
  ["CONTACT_DATA_EXPORT", "export"],
  ["ADD_TWO_FACTOR_AUTHENTICATION", "user"],
  ["CHANGE_PASSWORD", "user"],
  ["PRIVATE_APP_ACCESS_TOKEN_VIEW", "key"],
]

/** HubSpot's form of an instant: UTC with milliseconds. */
export const hubspotTime = (ms: number) => new Date(ms).toISOString()

export interface ActivityRecords {
  /** The portal's users, by HubSpot user id. */
  readonly users: ReadonlyArray<{ readonly id: number; readonly email: string }>
  readonly portalId: number
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedRecord>
  /** `count` records at exactly `now`. */
  readonly burst: (count: number, now: number) => Array<GeneratedRecord>
  readonly login: (at: number, fields?: Json) => GeneratedRecord
  readonly security: (at: number, fields?: Json) => GeneratedRecord
  readonly malformed: (flaw: MalformedRecord, now: number) => GeneratedRecord
}

export const activityRecords = (seed: number): ActivityRecords => {
  const { next, int, pick } = seededRandom(seed)
  const portalId = 20_000_000 + int(9_000_000)
  const users = Array.from({ length: 8 }, (_, i) => {
    const first = FIRST[i % FIRST.length] as string
    const last = LAST[(i * 3) % LAST.length] as string
    return {
      id: 50_000_000 + int(40_000_000),
      email: `${first.toLowerCase()}.${last.toLowerCase()}@acme.example`,
      ip: `${pick(NETWORKS)}${10 + int(200)}`,
      place: pick(PLACES),
      agent: pick(AGENTS),
    }
  })
  const admins = users.slice(0, 2)
  let loginId = 1_200_000_000 + int(100_000_000)
  let securityId = 800_000_000 + int(100_000_000)

  const login = (at: number, fields: Json = {}): GeneratedRecord => {
    const who = pick(users)
    const succeeded = next() >= 0.25
    // A failed attempt for an email HubSpot does not know carries no user (assumed; see the adapter).
    const unknown = !succeeded && next() < 0.3
    return {
      stream: "login",
      at,
      record: {
        id: String(loginId++),
        loginAt: hubspotTime(at),
        loginSucceeded: succeeded,
        ...(unknown ? { email: `former.${who.email}` } : { userId: who.id, email: who.email }),
        ipAddress: who.ip,
        location: who.place.location,
        userAgent: who.agent,
        countryCode: who.place.countryCode,
        regionCode: who.place.regionCode,
        ...fields,
      },
    }
  }

  const security = (at: number, fields: Json = {}): GeneratedRecord => {
    const admin = pick(admins)
    const [type, target] = pick(SECURITY_TYPES)
    const objectId =
      target === "user" ? String(pick(users).id) : target === "export" ? String(int(9_000_000)) : "pat-na1"
    return {
      stream: "security",
      at,
      record: {
        id: String(securityId++),
        createdAt: hubspotTime(at),
        type,
        userId: admin.id,
        actingUser: admin.email,
        objectId,
        infoUrl: `app.hubspot.com/settings/${portalId}/users`,
        ipAddress: admin.ip,
        location: admin.place.location,
        countryCode: admin.place.countryCode,
        regionCode: admin.place.regionCode,
        ...fields,
      },
    }
  }

  const one = (at: number) => (next() < 0.65 ? login(at) : security(at))

  return {
    users: users.map(({ id, email }) => ({ id, email })),
    portalId,
    history: (count, now, spanMs) => {
      const times = Array.from({ length: count }, () => Math.floor(now - next() * spanMs)).sort(
        (a, b) => a - b,
      )
      // About a fifth share their instant with the one before (bulk user changes, retried logins).
      for (let i = 1; i < times.length; i++) if (next() < 0.2) times[i] = times[i - 1] as number
      return times.map(one)
    },
    burst: (count, now) => Array.from({ length: count }, () => one(now)),
    login,
    security,
    malformed: (flaw, now) => {
      const generated = login(now)
      const { id: _id, ...withoutId } = generated.record
      const record =
        flaw === "missing-id"
          ? withoutId
          : { ...generated.record, loginAt: hubspotTime(now).replace(/\.\d{3}Z$/, "") }
      return { ...generated, record }
    },
  }
}
