import type { Activity } from "../domain/Activity.ts"
import type { ActivityRecord, SignInDetail } from "../domain/ActivityRecord.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type OcsfEvent, OcsfVersion } from "../domain/OcsfEvent.ts"
import { dedupeKey, envelopeOf } from "../domain/RecordEnvelope.ts"

// The Activity as an OCSF 1.8.0 event. Pure: the record in, the event out; the mapping table is the "OCSF"
// section of docs/records.md. Classes and activity ids are OCSF's (events/iam/*.json of the 1.8.0 schema source).

const iam = { category_uid: 3, category_name: "Identity & Access Management" } as const

const classes = {
  account_change: { class_uid: 3001, class_name: "Account Change" },
  authentication: { class_uid: 3002, class_name: "Authentication" },
  entity_management: { class_uid: 3004, class_name: "Entity Management" },
} as const
type OcsfClass = keyof typeof classes

interface Classified {
  readonly class: OcsfClass
  readonly activity_id: number
  /** The activity's OCSF caption; for 99 (Other), the record's action. */
  readonly activity_name: string
  readonly status?: "Success" | "Failure"
  readonly severity?: "Low" | "Medium"
}

/** Unified actions with an OCSF class and activity of their own. */
const unified: Readonly<Record<string, Classified>> = {
  login: { class: "authentication", activity_id: 1, activity_name: "Logon", status: "Success" },
  logout: { class: "authentication", activity_id: 2, activity_name: "Logoff", status: "Success" },
  login_failed: {
    class: "authentication",
    activity_id: 1,
    activity_name: "Logon",
    status: "Failure",
    severity: "Low",
  },
  user_created: { class: "account_change", activity_id: 1, activity_name: "Create" },
  user_deactivated: { class: "account_change", activity_id: 5, activity_name: "Disable" },
  user_deleted: { class: "account_change", activity_id: 6, activity_name: "Delete" },
  // Account Change has no invitation or joining activity (nor Create: an invitation is not yet an account).
  user_invited: { class: "account_change", activity_id: 99, activity_name: "user_invited" },
  user_joined: { class: "account_change", activity_id: 99, activity_name: "user_joined" },
  create: { class: "entity_management", activity_id: 1, activity_name: "Create" },
  updated: { class: "entity_management", activity_id: 3, activity_name: "Update" },
  destroy: { class: "entity_management", activity_id: 4, activity_name: "Delete" },
  // Read would hide that data left the provider: kept apart as Other.
  exported: { class: "entity_management", activity_id: 99, activity_name: "exported" },
}

/** A raw failed sign-in that is a lockout (Okta's user.account.lock, user.account.lock.limit). */
const isLockout = (action: string) => /(^|[._])lock([._]|$)/i.test(action)

/**
 * The class and activity of a record. A raw action on the login_failed topic (it carries `sign_in`) is a failed
 * sign-in OCSF names no activity for (a denied push, a policy's DENY), except a lockout: Account Change's Lock.
 */
export const classify = (record: Pick<ActivityRecord, "action" | "sign_in">): Classified => {
  const action = record.action
  if (action === undefined) return { class: "entity_management", activity_id: 0, activity_name: "Unknown" }
  const known = unified[action]
  if (known !== undefined) return known
  if (record.sign_in !== undefined)
    return isLockout(action)
      ? {
          class: "account_change",
          activity_id: 9,
          activity_name: "Lock",
          status: "Success",
          severity: "Medium",
        }
      : {
          class: "authentication",
          activity_id: 99,
          activity_name: action,
          status: "Failure",
          severity: "Low",
        }
  return { class: "entity_management", activity_id: 99, activity_name: action }
}

/** The provider's product and vendor, as metadata.product names them. */
const products: Readonly<Record<string, { readonly name: string; readonly vendor_name: string }>> = {
  asana: { name: "Asana", vendor_name: "Asana" },
  atlassian: { name: "Atlassian Organization", vendor_name: "Atlassian" },
  browserstack: { name: "BrowserStack", vendor_name: "BrowserStack" },
  confluence: { name: "Confluence", vendor_name: "Atlassian" },
  dropbox: { name: "Dropbox", vendor_name: "Dropbox" },
  figma: { name: "Figma", vendor_name: "Figma" },
  github: { name: "GitHub", vendor_name: "GitHub" },
  hubspot: { name: "HubSpot", vendor_name: "HubSpot" },
  jira: { name: "Jira", vendor_name: "Atlassian" },
  okta: { name: "Okta", vendor_name: "Okta" },
  salesforce: { name: "Salesforce", vendor_name: "Salesforce" },
  zendesk: { name: "Zendesk", vendor_name: "Zendesk" },
  zoom: { name: "Zoom", vendor_name: "Zoom" },
}

const severities = { Informational: 1, Low: 2, Medium: 3 } as const
const statuses = { Success: 1, Failure: 2 } as const

/** Keys whose value is undefined are left out: OCSF omits what it does not know. */
const defined = <T extends Record<string, unknown>>(fields: T): T =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T

export const ocsfLogProvider = "siem-activity-connector"

/**
 * The record as an OCSF 1.8.0 event. `raw_data` is `remote_data` as a JSON string when the record has it: a
 * caller that must not publish it passes the record without it.
 */
export const toOcsf = (
  record: ActivityRecord,
  /** `remote_data` as JSON when the caller has already serialised it (it is the bulk of the record). */
  remoteJson?: string,
): OcsfEvent => {
  const kind = classify(record)
  const { class_uid, class_name } = classes[kind.class]
  const severity = kind.severity ?? "Informational"
  const actorId = record.actor?.user?.id
  const ip = record.context?.ip_address
  const userAgent = record.context?.user_agent
  const attempted = record.sign_in?.attempted_user

  // Who the event is about: the user signing in; the account changed (the entity acted on, else the actor).
  const user =
    kind.class === "authentication"
      ? defined({ uid: actorId, name: attempted })
      : kind.class === "account_change"
        ? defined({
            uid: record.entity ?? actorId,
            name: record.entity === undefined ? attempted : undefined,
          })
        : undefined
  const entity =
    kind.class === "entity_management"
      ? defined({
          uid: record.entity,
          type: record.entity_type,
          // OCSF needs a name or a uid: without the entity's id, its type (else the integration) names it.
          name: record.entity === undefined ? (record.entity_type ?? record.integration) : undefined,
        })
      : undefined

  const observables = [
    ...(actorId === undefined ? [] : [{ name: "actor.user.uid", type_id: 31, value: actorId }]),
    ...(user?.uid === undefined || user.uid === actorId
      ? []
      : [{ name: "user.uid", type_id: 31, value: user.uid }]),
    ...(user?.name === undefined
      ? []
      : [{ name: "user.name", type: "User Name", type_id: 4, value: user.name }]),
    ...(ip === undefined ? [] : [{ name: "src_endpoint.ip", type: "IP Address", type_id: 2, value: ip }]),
    ...(userAgent === undefined
      ? []
      : [{ name: "http_request.user_agent", type: "HTTP User-Agent", type_id: 16, value: userAgent }]),
  ]

  const entityElsewhere = kind.class !== "entity_management"
  const unmapped = defined({
    integration: record.integration,
    action: record.action,
    dedupe_key: record.dedupe_key,
    organization: record.organization,
    group: record.group,
    actor_type: record.actor?.type,
    authentication_method: record.context?.authentication_method,
    entity: entityElsewhere && record.entity !== user?.uid ? record.entity : undefined,
    entity_type: entityElsewhere ? record.entity_type : undefined,
  })

  const observedMs = Date.parse(record.observed_at)
  return defined({
    class_uid,
    class_name,
    ...iam,
    activity_id: kind.activity_id,
    activity_name: kind.activity_name,
    type_uid: class_uid * 100 + kind.activity_id,
    type_name: `${class_name}: ${kind.activity_name}`,
    time: Date.parse(record.created_at),
    severity_id: severities[severity],
    severity,
    status_id: kind.status === undefined ? undefined : statuses[kind.status],
    status: kind.status,
    status_detail: record.sign_in?.reason,
    message: record.description,
    metadata: {
      version: OcsfVersion,
      product: products[record.integration] ?? { name: record.integration, vendor_name: record.integration },
      uid: record.id,
      original_time: record.created_at,
      tenant_uid: record.integrated_account_id,
      logged_time: observedMs,
      processed_time: observedMs,
      log_provider: ocsfLogProvider,
    },
    actor: actorId === undefined ? undefined : { user: { uid: actorId } },
    user,
    entity,
    src_endpoint: ip === undefined ? undefined : { ip },
    http_request: userAgent === undefined ? undefined : { user_agent: userAgent },
    service: kind.class === "authentication" ? { name: record.integration } : undefined,
    observables: observables.length === 0 ? undefined : observables,
    unmapped,
    raw_data:
      record.remote_data === undefined ? undefined : (remoteJson ?? JSON.stringify(record.remote_data)),
  }) as OcsfEvent
}

/**
 * An Activity the endpoint read for `account` at `observedAt`, as an OCSF event: the record it would be
 * published as (envelope, dedupe key, failed sign-in detail, remote_data whole), projected.
 */
export const activityToOcsf = (
  account: IntegratedAccount,
  activity: Activity,
  observedAt: string,
  signIn?: SignInDetail,
): OcsfEvent =>
  toOcsf({
    ...activity,
    remote_data: activity.remote_data as ActivityRecord["remote_data"],
    ...envelopeOf(account, observedAt),
    dedupe_key: dedupeKey(account, activity.id),
    ...(signIn === undefined ? {} : { sign_in: signIn }),
  })
