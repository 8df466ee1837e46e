// Realistic rows for Zoom's two reports, from a seed. Shapes follow Zoom's documented examples and rows
// observed by others (Rapid7's and Panther's tests): `Browser` with version `-`, lower-case `mac`/`windows`;
// operation details with Zoom's double spaces and trailing whitespace. There are no failed sign-ins: Zoom's
// report does not record them.

import type { ZoomStream } from "../../providers/zoom/recordId.ts"
import { seededRandom } from "../kit/seededRandom.ts"

type Row = Record<string, unknown>

/** A row and the moment it belongs to (ms): what the report's date window and order go by. */
export interface GeneratedRow {
  readonly stream: ZoomStream
  readonly at: number
  readonly row: Row
}

export type MalformedRow = "missing-actor" | "bad-time"

const FIRST = ["ana", "ben", "chloe", "dev", "elif", "farid", "grace", "hugo", "ines", "jonas", "kai", "lena"]
const LAST = ["okafor", "lindqvist", "moreau", "tanaka", "silva", "novak", "haddad", "kowalski", "reyes"]
// Documentation address ranges (RFC 5737), so the data can never point at a real network.
const NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]
const CLIENTS = [
  { client_type: "Browser", version: "-" },
  { client_type: "mac", version: "6.2.11.43613" },
  { client_type: "windows", version: "6.2.10.43047" },
  { client_type: "mac", version: "5.17.11.34827" },
  { client_type: "windows", version: "6.1.1.36333" },
]
const ACCOUNT_SETTINGS = [
  "Security  - Require that all meetings are secured with one security option: from Off to On",
  "Sign-in Methods  - Allow users to sign in with Google: from Off to On",
  "Meeting  - Waiting Room: from On to Off",
  "Recording  - Cloud recording: from Off to On",
]
const DEPARTMENTS = ["Sales", "Engineering", "Finance", "Support"]

/** Zoom's form of a time: whole seconds, `Z`. */
export const zoomTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

export interface ReportRows {
  /** `count` rows spread over the `spanMs` before `now`, oldest first; now and then several in one second. */
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedRow>
  /** `count` rows all in the second of `now`: mostly sign-ins and sign-outs, some admin operations. */
  readonly burst: (count: number, now: number) => Array<GeneratedRow>
  /** A generated row of `stream` with one documented guarantee broken. */
  readonly malformed: (stream: ZoomStream, flaw: MalformedRow, now: number) => GeneratedRow
}

export const reportRows = (seed: number): ReportRows => {
  const { next, int, pick } = seededRandom(seed)
  const users = Array.from({ length: 16 }, (_, i) => ({
    email: `${FIRST[i % FIRST.length]}.${LAST[(i * 5) % LAST.length]}@example.com`,
    ip: `${NETWORKS[i % NETWORKS.length]}${10 + int(200)}`,
    // Each user mostly on one client, now and then on a browser.
    client: pick(CLIENTS),
    signedIn: false,
  }))
  const admins = users.slice(0, 2)

  const signInOrOut = (at: number): GeneratedRow => {
    const user = pick(users)
    const client = next() < 0.2 ? (CLIENTS[0] as (typeof CLIENTS)[number]) : user.client
    const type = user.signedIn ? "Sign out" : "Sign in"
    user.signedIn = !user.signedIn
    return {
      stream: "activities",
      at,
      row: {
        email: user.email,
        time: zoomTime(at),
        type,
        ip_address: user.ip,
        client_type: client.client_type,
        version: client.version,
      },
    }
  }

  const operation = (at: number): GeneratedRow => {
    const operator = pick(admins).email
    const target = pick(users).email
    const [category_type, action, operation_detail] = pick<readonly [string, string, string]>([
      ["User", "Add", `Add User ${target}  - User Type: Basic - Department: ${pick(DEPARTMENTS)}`],
      ["User", "Update", `Deactivate User ${target} `],
      ["User", "Update", `Activate User ${target} `],
      ["User", "Delete", `Delete User ${target}`],
      ["User", "Batch Update", `Change Role  - ${target}: from Member to Admin`],
      ["User", "Update", `Update User ${target}  - User Role: from Admin to Member`],
      ["Account", "Update", pick(ACCOUNT_SETTINGS)],
    ])
    return {
      stream: "operation_logs",
      at,
      row: { time: zoomTime(at), operator, category_type, action, operation_detail },
    }
  }

  const one = (at: number) => (next() < 0.8 ? signInOrOut(at) : operation(at))

  return {
    history: (count, now, spanMs) => {
      const seconds = Array.from({ length: count }, () => Math.floor((now - next() * spanMs) / 1000)).sort(
        (a, b) => a - b,
      )
      // About a quarter of the rows share their second with the one before: a sign-in wave at 9:00.
      for (let i = 1; i < seconds.length; i++) if (next() < 0.25) seconds[i] = seconds[i - 1] as number
      return seconds.map((second) => one(second * 1000))
    },
    burst: (count, now) => Array.from({ length: count }, () => one(Math.floor(now / 1000) * 1000)),
    malformed: (stream, flaw, now) => {
      const generated = stream === "activities" ? signInOrOut(now) : operation(now)
      const { email: _email, operator: _operator, ...withoutActor } = generated.row
      const row = flaw === "missing-actor" ? withoutActor : { ...generated.row, time: "not a date" }
      return { ...generated, row }
    },
  }
}
