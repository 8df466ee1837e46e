import { type SeededRandom, seededRandom } from "../kit/seededRandom.ts"

// Team events in the shapes of Dropbox's `team_log.stone` and its documented example (as grove's fixtures
// reproduce it): sign-ins (a share of them failed), sign-outs, member status changes, shared-content downloads
// and file additions, by team members, an admin, an app and Dropbox itself.

export interface TeamMember {
  readonly account_id: string
  readonly team_member_id: string
  readonly display_name: string
  readonly email: string
}

export interface GeneratedEvent {
  /** Epoch ms, on a whole second (Dropbox's timestamps have second precision). */
  readonly at: number
  readonly record: Record<string, unknown>
}

export type MalformedFlaw = "no_timestamp" | "bad_timestamp" | "no_event_type"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const NAMES = ["John Smith", "Jane Smith", "Ana Lima", "Kenji Sato", "Priya Rao", "Tom Berg"]
const METHODS = ["password", "saml", "google_oauth", "two_factor_authentication", "passkey"]

export const dropboxSecond = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

const userInfo = (member: TeamMember) => ({
  ".tag": "team_member",
  account_id: member.account_id,
  display_name: member.display_name,
  email: member.email,
  team_member_id: member.team_member_id,
})

export const teamEventRecords = (seed: number) => {
  const random: SeededRandom = seededRandom(seed)
  const members: TeamMember[] = NAMES.map((name) => {
    const [first = "user", last = "x"] = name.toLowerCase().split(" ")
    return {
      // AccountId: exactly 40 characters.
      account_id: `dbid:AA${random.chars(ALPHABET, 33)}`,
      team_member_id: `dbmid:AA${random.chars(ALPHABET, 32)}`,
      display_name: name,
      email: `${first}_${last}@acmecorp.com`,
    }
  })
  const admin = members[0] as TeamMember
  const ip = () => `203.0.113.${1 + random.int(254)}`
  const origin = () => ({
    access_method: {
      ".tag": "end_user",
      end_user: { ".tag": "web", session_id: `dbwsid:${random.chars("0123456789", 39)}` },
    },
    geo_location: { city: "San Francisco", country: "US", ip_address: ip(), region: "California" },
  })
  const common = (at: number, category: string, type: string, description: string) => ({
    timestamp: dropboxSecond(at),
    event_category: { ".tag": category },
    event_type: { ".tag": type, description },
    involve_non_team_member: false,
  })

  const generate = (at: number): GeneratedEvent => {
    const member = random.pick(members)
    const roll = random.int(100)
    const context = { ...userInfo(member), team: { display_name: "A Team" } }
    let record: Record<string, unknown>
    if (roll < 35) {
      record = {
        ...common(at, "logins", "login_success", "(logins) Signed in"),
        actor: { ".tag": "user", user: userInfo(member) },
        origin: origin(),
        context,
        details: {
          ".tag": "login_success_details",
          is_emm_managed: false,
          login_method: { ".tag": random.pick(METHODS) },
        },
      }
    } else if (roll < 55) {
      record = {
        ...common(at, "logins", "login_fail", "(logins) Failed to sign in"),
        actor: { ".tag": "user", user: userInfo(member) },
        origin: origin(),
        context,
        details: {
          ".tag": "login_fail_details",
          is_emm_managed: false,
          login_method: { ".tag": "password" },
          error_details: {
            user_friendly_message: "Invalid email or password.",
            technical_error_message: "Invalid email or password.",
          },
        },
      }
    } else if (roll < 70) {
      record = {
        ...common(at, "logins", "logout", "(logins) Signed out"),
        actor: { ".tag": "user", user: userInfo(member) },
        origin: origin(),
        context,
        details: { ".tag": "logout_details", login_id: `dbwsid:${random.chars("0123456789", 39)}` },
      }
    } else if (roll < 78) {
      record = {
        ...common(at, "members", "member_change_status", "(members) Changed member status"),
        actor: { ".tag": "admin", admin: userInfo(admin) },
        origin: origin(),
        context,
        details: {
          ".tag": "member_change_status_details",
          new_value: { ".tag": random.pick(["active", "suspended", "removed"]) },
          previous_value: { ".tag": "invited" },
        },
      }
    } else if (roll < 88) {
      record = {
        ...common(at, "sharing", "shared_content_download", "(sharing) Downloaded shared file/folder"),
        actor: { ".tag": "user", user: userInfo(member) },
        origin: origin(),
        context,
        assets: [
          {
            ".tag": "file",
            display_name: "reports.xls",
            file_id: `id:${random.chars(ALPHABET, 22)}`,
            path: { contextual: "/Contract Work/Draft" },
          },
        ],
        details: {
          ".tag": "shared_content_download_details",
          shared_content_access_level: { ".tag": "viewer" },
          shared_content_link: "abc",
        },
      }
    } else if (roll < 95) {
      record = {
        ...common(at, "apps", "app_link_team", "(apps) Linked app for team"),
        actor: {
          ".tag": "app",
          app: { ".tag": "team_linked_app", app_id: "dbaid:app1", display_name: "Backup" },
        },
        context: { ".tag": "team" },
        details: { ".tag": "app_link_team_details", app_info: { ".tag": "team_linked_app" } },
      }
    } else {
      record = {
        ...common(
          at,
          "tfa",
          "tfa_change_backup_phone",
          "(tfa) Changed backup phone for two-step verification",
        ),
        actor: { ".tag": "dropbox" },
        context,
        details: { ".tag": "tfa_change_backup_phone_details" },
      }
    }
    return { at: Math.floor(at / 1000) * 1000, record }
  }

  return {
    members,
    /** `count` events over the `spanMs` before `now`, nearly in time order: a few neighbours swapped. */
    history: (count: number, now: number, spanMs: number): GeneratedEvent[] => {
      const events = Array.from({ length: count }, (_, i) =>
        generate(now - spanMs + Math.floor(((i + random.next()) * spanMs) / Math.max(1, count))),
      ).filter((e) => e.at < now)
      for (let i = 1; i < events.length; i += 7) {
        const a = events[i - 1] as GeneratedEvent
        events[i - 1] = events[i] as GeneratedEvent
        events[i] = a
      }
      return events
    },
    /** `count` events at `now`. */
    burst: (count: number, now: number): GeneratedEvent[] =>
      Array.from({ length: count }, () => generate(now)),
    malformed: (flaw: MalformedFlaw, now: number): GeneratedEvent => {
      const { record } = generate(now)
      const broken: Record<string, unknown> = { ...record }
      if (flaw === "no_timestamp") delete broken.timestamp
      if (flaw === "bad_timestamp") broken.timestamp = "yesterday at noon"
      if (flaw === "no_event_type") delete broken.event_type
      return { at: Math.floor(now / 1000) * 1000, record: broken }
    },
  }
}
