// Realistic Jira Cloud audit records from a seed, in the shape of `AuditRecordBean` as the reference's example
// and real Cloud records (Elastic's atlassian_jira fixtures) show them: user and group management by an admin
// (with `authorAccountId` and `remoteAddress`), the same done by directory sync (no author, no address), and
// project and workflow changes. A user creation and its group memberships share one millisecond, as bulk
// changes do. Jira's audit log records no sign-ins, so there are no failed logins here.

import { seededRandom } from "../kit/seededRandom.ts"

type Record_ = Record<string, unknown>

export type MalformedJiraRecord = "missing-id" | "zoneless-created"

const DIRECTORY = {
  parentId: "10000",
  parentName: "com.atlassian.crowd.directory.IdentityPlatformRemoteDirectory",
}
const GROUPS = ["jira-software-users", "confluence-users", "site-admins", "jira-admins", "contractors"]
const PROJECTS = [
  { id: "10000", name: "Web Platform" },
  { id: "10003", name: "Support" },
  { id: "10022", name: "Change Control" },
]
// Documentation address ranges (RFC 5737) only.
const ADDRESSES = ["198.51.100.23", "203.0.113.77", "192.0.2.140"]

/** Jira's `created`: milliseconds and a `+0000` offset without a colon. */
export const jiraCreated = (ms: number): string => new Date(ms).toISOString().replace("Z", "+0000")

export interface JiraRecordGenerator {
  /** Records of one change at `time` (one, or a creation and its group memberships); ids come from `nextId`. */
  readonly change: (time: number, nextId: () => number) => Array<Record_>
  readonly malformed: (flaw: MalformedJiraRecord, time: number, id: number) => Record_
}

export const jiraRecordGenerator = (seed: number): JiraRecordGenerator => {
  const { next, int, pick, chars } = seededRandom(seed)
  const hex = (n: number) => chars("0123456789abcdef", n)
  const admins = Array.from({ length: 3 }, () => `5b${hex(22)}`)
  const userKey = () => `ug:${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
  const userItem = (key: string, parentName = "IDP Directory") => ({
    id: key,
    name: key,
    typeName: "USER",
    parentId: "10000",
    parentName,
  })

  const byAdmin = () => {
    const admin = pick(admins)
    return { authorKey: `ug:${admin.slice(2, 10)}`, authorAccountId: admin, remoteAddress: pick(ADDRESSES) }
  }

  const one = (id: number, time: number, fields: Record_): Record_ => ({
    id,
    ...fields,
    created: jiraCreated(time),
    eventSource: "",
  })

  return {
    change: (time, nextId) => {
      const roll = next()
      const viaSync = next() < 0.3
      const author = viaSync ? {} : byAdmin()
      if (roll < 0.3) {
        // A new user, and the default groups it joins, in the same millisecond.
        const key = userKey()
        const created = one(nextId(), time, {
          summary: "User created",
          ...author,
          category: "user management",
          objectItem: userItem(key),
          changedValues: [{ fieldName: "Active / Inactive", changedTo: "Active" }],
          associatedItems: [userItem(key)],
        })
        const groups = GROUPS.slice(0, 1 + int(2)).map((group) =>
          one(nextId(), time, {
            summary: "User added to group",
            ...author,
            category: "group management",
            objectItem: { name: group, typeName: "GROUP", ...DIRECTORY },
            associatedItems: [userItem(key, DIRECTORY.parentName)],
          }),
        )
        return [created, ...groups]
      }
      if (roll < 0.45) {
        const key = userKey()
        return [
          one(nextId(), time, {
            summary: "User deactivated",
            ...author,
            category: "user management",
            objectItem: userItem(key),
            changedValues: [{ fieldName: "Active / Inactive", changedFrom: "Active", changedTo: "Inactive" }],
            associatedItems: [userItem(key)],
          }),
        ]
      }
      if (roll < 0.55) {
        const key = userKey()
        return [
          one(nextId(), time, {
            summary: "User removed from group",
            ...author,
            category: "group management",
            objectItem: { name: pick(GROUPS), typeName: "GROUP", ...DIRECTORY },
            associatedItems: [userItem(key, DIRECTORY.parentName)],
          }),
        ]
      }
      if (roll < 0.65) {
        const key = userKey()
        return [
          one(nextId(), time, {
            summary: "User's password changed",
            remoteAddress: pick(ADDRESSES),
            category: "user management",
            objectItem: userItem(key, DIRECTORY.parentName),
            associatedItems: [userItem(key, DIRECTORY.parentName)],
          }),
        ]
      }
      const admin = byAdmin()
      const project = pick(PROJECTS)
      if (roll < 0.8) {
        return [
          one(nextId(), time, {
            summary: "Workflow updated",
            ...admin,
            category: "workflows",
            objectItem: {
              id: `Software workflow for project ${project.id}`,
              name: `Software workflow for project ${project.id}`,
              typeName: "WORKFLOW",
            },
          }),
        ]
      }
      if (roll < 0.9) {
        return [
          one(nextId(), time, {
            summary: "Permission scheme updated",
            ...admin,
            category: "permissions",
            objectItem: { id: "10000", name: `${project.name}: Permission Scheme`, typeName: "SCHEME" },
            changedValues: [
              { fieldName: "Browse Projects", changedFrom: "", changedTo: "Group (jira-software-users)" },
            ],
          }),
        ]
      }
      return [
        one(nextId(), time, {
          summary: "Project created",
          ...admin,
          category: "projects",
          description: "Created from the Kanban template",
          objectItem: {
            id: String(10100 + int(900)),
            name: `${project.name} ${int(100)}`,
            typeName: "PROJECT",
          },
        }),
      ]
    },
    malformed: (flaw, time, id) => {
      const base = {
        id,
        summary: "User created",
        created: jiraCreated(time),
        category: "user management",
        eventSource: "",
        objectItem: userItem(userKey()),
      }
      if (flaw === "missing-id") {
        const { id: _id, ...rest } = base
        return rest
      }
      return { ...base, created: new Date(time).toISOString().replace("Z", "") }
    },
  }
}
