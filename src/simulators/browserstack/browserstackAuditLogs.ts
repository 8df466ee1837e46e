// Realistic BrowserStack audit-log entries from a seed. The activity keys and categories are those of the
// confirmed catalogue (`GET /audit/v1/activities`); the entry's shape is ASSUMED (no public sample exists):
// the UI export's columns (date/time, actor, activity) plus a description, IP and user agent, and no id.
// Sign-ins, failed sign-ins among them, dominate, as on a real organization.

import { seededRandom } from "../kit/seededRandom.ts"

type Entry = Record<string, unknown>

export type MalformedBrowserStackLog = "missing-timestamp" | "text-timestamp" | "no-actor"

/** The confirmed catalogue, as `GET /audit/v1/activities` answers it (the copy read was cut after `accounts`). */
export const ACTIVITY_CATALOGUE: Readonly<Record<string, ReadonlyArray<string>>> = {
  user_management: [
    "added_member",
    "removed_member",
    "changed_product_access",
    "changed_role",
    "requested_product_access",
    "exported_users",
    "created_team",
    "deleted_team",
    "changed_team",
    "sent_invitation_via_email",
    "copied_invitation_link",
    "created_new_invite_link",
    "resent_invitation",
  ],
  user_provisioning: [
    "added_member_from_identity_provider",
    "removed_member_from_identity_provider",
    "changed_team_from_identity_provider",
    "changed_role_from_identity_provider",
    "changed_product_from_identity_provider",
    "enabled_auto_user_provisioning",
    "modified_auto_user_provisioning_configuration",
    "disabled_auto_user_provisioning",
  ],
  user_management_using_rest_apis: [
    "added_member_using_rest_apis",
    "removed_member_using_rest_apis",
    "changed_product_access_using_rest_apis",
    "changed_role_using_rest_apis",
    "created_team_using_rest_apis",
    "deleted_team_using_rest_apis",
    "changed_team_using_rest_apis",
  ],
  accounts: [
    "signed_in",
    "failed_to_sign_in",
    "signed_out",
    "modified_sign_in_method",
    "requested_password_recovery_link",
    "reset_password_done",
    "deleted_account",
  ],
}

const categoryOf = (key: string) =>
  Object.entries(ACTIVITY_CATALOGUE).find(([, keys]) => keys.includes(key))?.[0] ?? "accounts"

const PEOPLE = [
  { id: 4_812_301, name: "Ana Okafor", email: "ana.okafor@acme.example" },
  { id: 4_812_377, name: "Ben Lindqvist", email: "ben.lindqvist@acme.example" },
  { id: 5_020_114, name: "Chloe Moreau", email: "chloe.moreau@acme.example" },
  { id: 5_301_968, name: "Dev Tanaka", email: "dev.tanaka@acme.example" },
]
// Documentation address ranges (RFC 5737) only.
const ADDRESSES = ["198.51.100.23", "203.0.113.77", "192.0.2.140"]
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
]

const DESCRIPTIONS: Readonly<Record<string, (subject: string) => string>> = {
  signed_in: () => "Signed in",
  failed_to_sign_in: () => "Failed to sign in",
  signed_out: () => "Signed out",
  added_member: (s) => `Added member ${s}`,
  removed_member: (s) => `Removed member ${s}`,
  changed_role: (s) => `Changed role of ${s} to Admin`,
  sent_invitation_via_email: (s) => `Sent invitation via email to ${s}`,
  added_member_from_identity_provider: (s) => `Added member ${s} from identity provider`,
  created_team: () => "Created team QA Platform",
  exported_users: () => "Exported users",
}

export interface BrowserStackLogGenerator {
  readonly entry: (time: number) => Entry
  readonly malformed: (flaw: MalformedBrowserStackLog, time: number) => Entry
}

export const browserstackLogGenerator = (seed: number): BrowserStackLogGenerator => {
  const { next, pick, int } = seededRandom(seed)
  const keyOf = () => {
    const roll = next()
    if (roll < 0.35) return "signed_in"
    if (roll < 0.5) return "failed_to_sign_in"
    if (roll < 0.6) return "signed_out"
    return pick(Object.values(ACTIVITY_CATALOGUE).flat())
  }
  const entry = (time: number, key = keyOf()): Entry => {
    const actor = pick(PEOPLE)
    const subject = `user${int(10_000)}@acme.example`
    return {
      timestamp: new Date(time).toISOString(),
      activity: key,
      category: categoryOf(key),
      description: (DESCRIPTIONS[key] ?? (() => key.replaceAll("_", " ")))(subject),
      actor: { id: actor.id, name: actor.name, email: actor.email },
      ip_address: pick(ADDRESSES),
      user_agent: pick(AGENTS),
    }
  }
  return {
    entry,
    malformed: (flaw, time) => {
      const base = entry(time, "signed_in")
      if (flaw === "missing-timestamp") {
        const { timestamp: _timestamp, ...rest } = base
        return rest
      }
      if (flaw === "no-actor") {
        const { actor: _actor, ...rest } = base
        return rest
      }
      return { ...base, timestamp: "yesterday afternoon" }
    },
  }
}
