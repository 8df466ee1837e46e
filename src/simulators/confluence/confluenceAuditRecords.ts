// Realistic Confluence Cloud audit records from a seed, in the shape of `AuditRecord` as real Cloud records
// (Elastic's atlassian_confluence fixtures) show them: users and groups managed by System (sync, no account
// id) or by an admin, and space changes. A user creation and its group memberships share one millisecond.
// Confluence's audit log records no sign-ins, so there are no failed logins here. Records carry no id.

import { seededRandom } from "../kit/seededRandom.ts"

type Record_ = Record<string, unknown>

export type MalformedConfluenceRecord = "missing-creation-date" | "text-creation-date"

const NAMES = ["Ana Okafor", "Ben Lindqvist", "Chloe Moreau", "Dev Tanaka", "Elif Silva", "Farid Novak"]
const GROUPS = ["confluence-users", "jira-software-users", "site-admins", "contractors"]
const SPACES = [
  { name: "Service Catalogue", key: "SC" },
  { name: "Engineering Handbook", key: "ENG" },
  { name: "Security Runbooks", key: "SEC" },
]
// Documentation address ranges (RFC 5737) only.
const ADDRESSES = ["198.51.100.23", "203.0.113.77", "192.0.2.140"]

export interface ConfluenceRecordGenerator {
  /** Records of one change at `time` (one, or a creation and its group memberships). */
  readonly change: (time: number) => Array<Record_>
  readonly malformed: (flaw: MalformedConfluenceRecord, time: number) => Record_
}

export const confluenceRecordGenerator = (seed: number): ConfluenceRecordGenerator => {
  const { next, pick, int, chars } = seededRandom(seed)
  const hex = (n: number) => chars("0123456789abcdef", n)
  const admins = NAMES.slice(0, 2).map((name) => ({ name, accountId: `5e${hex(22)}` }))
  const system = {
    type: "user",
    displayName: "System",
    operations: null,
    isExternalCollaborator: false,
    accountType: "",
    publicName: "Unknown user",
    externalCollaborator: false,
  }
  const adminAuthor = () => {
    const admin = pick(admins)
    return {
      type: "user",
      displayName: admin.name,
      operations: null,
      isExternalCollaborator: false,
      username: admin.accountId,
      userKey: hex(32),
      accountId: admin.accountId,
      accountType: "",
      publicName: "Unknown user",
      externalCollaborator: false,
    }
  }
  const record = (time: number, fields: Record_): Record_ => ({
    author: next() < 0.5 ? system : adminAuthor(),
    remoteAddress: pick(ADDRESSES),
    creationDate: time,
    description: "",
    sysAdmin: false,
    superAdmin: false,
    changedValues: [],
    associatedObjects: [],
    ...fields,
  })

  return {
    change: (time) => {
      const roll = next()
      const person = `${pick(NAMES)} ${int(1000)}`
      if (roll < 0.3) {
        const author = next() < 0.5 ? system : adminAuthor()
        const created = record(time, {
          author,
          summary: "User created",
          category: "Users and groups",
          affectedObject: { name: person, objectType: "User" },
          changedValues: [
            { name: "Display name", oldValue: "", newValue: person, hiddenOldValue: "", hiddenNewValue: "" },
            { name: "Active", oldValue: "", newValue: "Yes", hiddenOldValue: "", hiddenNewValue: "" },
          ],
        })
        const groups = GROUPS.slice(0, 1 + int(2)).map((group) =>
          record(time, {
            author,
            summary: "User added to group",
            category: "Users and groups",
            affectedObject: {
              name: `${group}:${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
              objectType: "Group",
            },
            associatedObjects: [{ name: person, objectType: "User" }],
          }),
        )
        return [created, ...groups]
      }
      if (roll < 0.45) {
        return [
          record(time, {
            summary: "User deactivated",
            category: "Users and groups",
            affectedObject: { name: person, objectType: "User" },
            changedValues: [
              { name: "Active", oldValue: "Yes", newValue: "No", hiddenOldValue: "", hiddenNewValue: "" },
            ],
          }),
        ]
      }
      if (roll < 0.55) {
        return [
          record(time, {
            summary: "User removed from group",
            category: "Users and groups",
            affectedObject: { name: pick(GROUPS), objectType: "Group" },
            associatedObjects: [{ name: person, objectType: "User" }],
          }),
        ]
      }
      if (roll < 0.62) {
        return [
          record(time, {
            summary: "Group created",
            category: "Users and groups",
            affectedObject: { name: `${pick(GROUPS)}-${int(100)}`, objectType: "Group" },
          }),
        ]
      }
      const space = pick(SPACES)
      if (roll < 0.8) {
        return [
          record(time, {
            author: adminAuthor(),
            summary: "Space permission added",
            category: "Permissions",
            affectedObject: { name: space.name, objectType: "Space" },
            changedValues: [
              { name: "Type", oldValue: "", newValue: "VIEWSPACE", hiddenOldValue: "", hiddenNewValue: "" },
              { name: "Group", oldValue: "", newValue: pick(GROUPS), hiddenOldValue: "", hiddenNewValue: "" },
            ],
          }),
        ]
      }
      return [
        record(time, {
          author: adminAuthor(),
          summary: next() < 0.5 ? "Space created" : "Space configuration updated",
          category: "Spaces",
          affectedObject: { name: space.name, objectType: "Space" },
          changedValues: [
            { name: "Space key", oldValue: "", newValue: space.key, hiddenOldValue: "", hiddenNewValue: "" },
          ],
        }),
      ]
    },
    malformed: (flaw, time) => {
      const base = record(time, {
        summary: "User created",
        category: "Users and groups",
        affectedObject: { name: `Broken ${int(1000)}`, objectType: "User" },
      })
      if (flaw === "missing-creation-date") {
        const { creationDate: _creationDate, ...rest } = base
        return rest
      }
      return { ...base, creationDate: new Date(time).toISOString() }
    },
  }
}
