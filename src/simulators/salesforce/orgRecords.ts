// Realistic LoginHistory and SetupAuditTrail rows for the simulated org, from a seed. Shapes follow the object
// reference (every field of the describe present, null where unset) and observed rows (Rapid7's and Elastic's
// fixtures): `Browser` as a product name (`Chrome 122`, `Unknown` for API logins), `ApiVersion` `N/A` for UI
// logins, failure texts in `Status`. Ids carry valid 18-character checksums.

import { idChecksum } from "../../providers/salesforce/soql.ts"
import { type SeededRandom, seededRandom } from "../kit/seededRandom.ts"

export type OrgObject = "LoginHistory" | "SetupAuditTrail"

type Row = Record<string, unknown>

/** A row and the moment it belongs to (ms). */
export interface GeneratedRow {
  readonly object: OrgObject
  readonly at: number
  readonly row: Row
}

/** `bad-time`: the time field unparseable; `missing-required`: LoginHistory without Status, SetupAuditTrail without Action. */
export type MalformedRow = "bad-time" | "missing-required"

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/** Salesforce's form of a dateTime: UTC, milliseconds (always .000 here), offset without a colon. */
export const salesforceTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace("Z", "+0000")

/** An 18-character id with the given key prefix and its checksum. */
export const newId = (random: SeededRandom, prefix: string): string => {
  const id15 = `${prefix}${random.chars("0123456789", 2)}${random.chars(ALNUM, 10)}`
  return `${id15}${idChecksum(id15)}`
}

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena"]
const LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes"]
// Documentation address ranges (RFC 5737), so the data can never point at a real network.
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const COUNTRIES = ["US", "DE", "GB", "FR", "JP"]
const BROWSERS = [
  { Browser: "Chrome 122", Platform: "Mac OSX" },
  { Browser: "Chrome 121", Platform: "Windows 10" },
  { Browser: "Firefox 123", Platform: "Windows 10" },
  { Browser: "Safari 17", Platform: "Mac OSX" },
  { Browser: "Edge 122", Platform: "Windows 11" },
  { Browser: "Mobile Safari 17", Platform: "iPhone" },
]
/** Failed-login texts as LoginHistory writes them; no exhaustive list is published. */
const UI_FAILURES = [
  "Invalid Password",
  "Invalid Password",
  "Failed: Computer activation required",
  "Password Lockout",
  "User is Inactive",
  "Failed: Verification Error",
]
const API_FAILURES = ["Invalid Password", "Failed: API security token required", "Restricted IP"]
const CONNECTED_APPS = ["Salesforce for Outlook", "Dataloader Bulk", "Workbench", "Salesforce Mobile"]
const TLS = [
  { TlsProtocol: "TLS 1.3", CipherSuite: "TLS_AES_256_GCM_SHA384" },
  { TlsProtocol: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256" },
  { TlsProtocol: "TLS 1.2", CipherSuite: "ECDHE-RSA-AES256-GCM-SHA384" },
]

export interface OrgRecords {
  /** Users of the org (ids, usernames), for tests that filter by one. */
  readonly users: ReadonlyArray<{ readonly id: string; readonly username: string }>
  /** `count` rows spread over the `spanMs` before `now`, oldest first; now and then several in one second. */
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedRow>
  /** `count` rows all in the second of `now`: mostly logins, some Setup changes. */
  readonly burst: (count: number, now: number) => Array<GeneratedRow>
  /** A generated row of `object` with one guarantee broken. */
  readonly malformed: (object: OrgObject, flaw: MalformedRow, now: number) => GeneratedRow
}

export const orgRecords = (seed: number, myDomainHost: string): OrgRecords => {
  const random = seededRandom(seed)
  const { next, pick } = random
  const users = Array.from({ length: 12 }, (_, i) => {
    const first = FIRST[i % FIRST.length] as string
    const last = LAST[(i * 5) % LAST.length] as string
    return {
      id: newId(random, "005"),
      username: `${first.toLowerCase()}.${last.toLowerCase()}@acme.example`,
      name: `${first} ${last}`,
      ip: `${pick(NETWORKS)}${10 + random.int(200)}`,
      country: pick(COUNTRIES),
      browser: pick(BROWSERS),
    }
  })
  const admins = users.slice(0, 2)
  const samlConfig = newId(random, "0LE")

  const login = (at: number): GeneratedRow => {
    const user = pick(users)
    const kind = next()
    const api = kind > 0.75
    const sso = !api && kind > 0.6
    const failed = next() < 0.2
    const tls = pick(TLS)
    const row: Row = {
      Id: newId(random, "0Ya"),
      UserId: user.id,
      LoginTime: salesforceTime(at),
      LoginType: api
        ? pick(["Remote Access 2.0", "Other Apex API"])
        : sso
          ? "SAML Idp Initiated SSO"
          : "Application",
      LoginUrl: api ? "login.salesforce.com" : myDomainHost,
      SourceIp: user.ip,
      Status: failed ? pick(api ? API_FAILURES : UI_FAILURES) : "Success",
      Application: api ? pick(CONNECTED_APPS) : "Browser",
      Browser: api ? "Unknown" : user.browser.Browser,
      Platform: api ? "Unknown" : user.browser.Platform,
      ApiType: api ? pick(["REST", "SOAP Partner"]) : null,
      ApiVersion: api ? "62.0" : "N/A",
      ClientVersion: "N/A",
      AuthenticationServiceId: sso ? samlConfig : null,
      AuthMethodReference: null,
      CountryIso: user.country,
      LoginSubType: api ? "OAuth Username-Password" : null,
      TlsProtocol: tls.TlsProtocol,
      CipherSuite: tls.CipherSuite,
      ForwardedForIp: null,
      LoginGeoId: null,
      NetworkId: null,
      OptionsIsGet: false,
      OptionsIsPost: !api,
    }
    return { object: "LoginHistory", at, row }
  }

  const setupChange = (at: number): GeneratedRow => {
    const admin = pick(admins)
    const target = pick(users)
    const [Action, Section, Display] = pick<readonly [string, string, string]>([
      ["createduser", "Manage Users", `Created new user ${target.name} (${target.username})`],
      ["deactivateduser", "Manage Users", `Deactivated user ${target.name} (${target.username})`],
      ["activateduser", "Manage Users", `Activated user ${target.name} (${target.username})`],
      ["frozeuser", "Manage Users", `Froze user ${target.name} (${target.username})`],
      ["resetpassword", "Manage Users", `Reset password for ${target.name} (${target.username})`],
      [
        "changedprofileforuser",
        "Manage Users",
        `Changed profile for user ${target.username} from Standard User to System Administrator`,
      ],
      [
        "PermSetAssign",
        "Manage Users",
        `Permission set Sales Ops: assigned to user ${target.name} (${target.username})`,
      ],
      ["insertConnectedApplication", "Connected Apps", "Created connected app Reporting Sync"],
    ])
    const delegated = next() < 0.1
    const row: Row = {
      Id: newId(random, "0Ym"),
      Action,
      Section,
      Display,
      CreatedDate: salesforceTime(at),
      CreatedById: admin.id,
      CreatedByContext: null,
      CreatedByIssuer: null,
      DelegateUser: delegated ? (admins[1] ?? admin).username : null,
      ResponsibleNamespacePrefix: null,
    }
    return { object: "SetupAuditTrail", at, row }
  }

  const one = (at: number) => (next() < 0.85 ? login(at) : setupChange(at))

  return {
    users: users.map(({ id, username }) => ({ id, username })),
    history: (count, now, spanMs) => {
      const seconds = Array.from({ length: count }, () => Math.floor((now - next() * spanMs) / 1000)).sort(
        (a, b) => a - b,
      )
      // About a quarter of the rows share their second with the one before: a login wave at 9:00.
      for (let i = 1; i < seconds.length; i++) if (next() < 0.25) seconds[i] = seconds[i - 1] as number
      return seconds.map((second) => one(second * 1000))
    },
    burst: (count, now) => Array.from({ length: count }, () => one(Math.floor(now / 1000) * 1000)),
    malformed: (object, flaw, now) => {
      const generated = object === "LoginHistory" ? login(now) : setupChange(now)
      const timeField = object === "LoginHistory" ? "LoginTime" : "CreatedDate"
      const requiredField = object === "LoginHistory" ? "Status" : "Action"
      const row =
        flaw === "bad-time"
          ? { ...generated.row, [timeField]: "not a date" }
          : { ...generated.row, [requiredField]: null }
      return { ...generated, row }
    },
  }
}
