import { Duration, Either, Schema } from "effect"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import { ForeignHostRefused, ProviderBadResponse } from "../../http/ProviderError.ts"
import { LOGIN_HISTORY } from "./SalesforceLoginHistory.ts"
import type { SalesforcePosition } from "./SalesforcePosition.ts"
import { SETUP_AUDIT_TRAIL } from "./SalesforceSetupAuditTrail.ts"
import { isSalesforceId, soqlDateTime, soqlString } from "./soql.ts"

// The requests of continuous tailing, as plain data: which SOQL to send for a stream from a position, where
// (`GET {instance}/services/data/vXX.X/query?q=…`), and where the next batch is (`nextRecordsUrl`, a path on
// the account's own instance, never a host from elsewhere). No HTTP here.

export type SalesforceStream = "login_history" | "setup_audit_trail"

/** What a stream's query is made of: the object, its time and actor fields, what to select, how long it is kept. */
export interface StreamFacts {
  readonly object: typeof LOGIN_HISTORY | typeof SETUP_AUDIT_TRAIL
  /** Filterable and sortable; second precision in practice. */
  readonly timeField: "LoginTime" | "CreatedDate"
  /** Where the spec's `actor_id` goes. */
  readonly actorField: "UserId" | "CreatedById"
  readonly fields: ReadonlyArray<string>
  readonly retention: Duration.Duration
}

export const SalesforceStreams: { readonly [S in SalesforceStream]: StreamFacts } = {
  login_history: {
    object: LOGIN_HISTORY,
    timeField: "LoginTime",
    actorField: "UserId",
    // The LoginHistory query the provider notes suggest; an org whose API version lacks a field answers
    // INVALID_FIELD, so the version is pinned (48.0 at least).
    fields: [
      "Id",
      "UserId",
      "LoginTime",
      "LoginType",
      "LoginUrl",
      "SourceIp",
      "Status",
      "Application",
      "Browser",
      "Platform",
      "ApiType",
      "ApiVersion",
      "AuthenticationServiceId",
      "CountryIso",
      "LoginSubType",
      "TlsProtocol",
      "CipherSuite",
    ],
    // "About six months" (object reference); no error beyond it, the rows are simply gone.
    retention: Duration.days(180),
  },
  setup_audit_trail: {
    object: SETUP_AUDIT_TRAIL,
    timeField: "CreatedDate",
    actorField: "CreatedById",
    fields: [
      "Id",
      "Action",
      "Section",
      "CreatedDate",
      "CreatedById",
      "CreatedByContext",
      "CreatedByIssuer",
      "DelegateUser",
      "Display",
      "ResponsibleNamespacePrefix",
    ],
    retention: Duration.days(180),
  },
}

/** The REST API version pinned when the account's settings name none (Winter '25). */
export const DEFAULT_API_VERSION = "62.0"

/** `settings.api_version`: a REST API version such as `62.0` (no `v`). */
export const SalesforceApiVersion = Schema.String.pipe(
  Schema.pattern(/^\d{2,3}\.0$/, { message: () => "must be a Salesforce API version such as 62.0" }),
  // CreatedByContext, selected from SetupAuditTrail, exists from 48.0 on.
  Schema.filter((v) => Number(v) >= 48 || "must be 48.0 or later"),
)

/** The account's API version (`settings.api_version`), else the default; a malformed one is an error, not ignored. */
export const apiVersionOf = (settings: Readonly<Record<string, string>>): Either.Either<string, string> => {
  const configured = settings.api_version
  if (configured === undefined) return Either.right(DEFAULT_API_VERSION)
  return Either.mapLeft(
    Schema.decodeUnknownEither(SalesforceApiVersion)(configured),
    () =>
      `settings.api_version ${JSON.stringify(configured)} must be a Salesforce API version of 48.0 or later, such as 62.0`,
  )
}

/** A filter the request gave that Salesforce cannot take as given: the API's 400, naming the parameter. */
export interface FilterRejection {
  readonly param: FilterName
  readonly message: string
}

/** The filters the spec lets Salesforce take, read and checked. */
export interface SalesforceFilters {
  /** Epoch ms: activity at or after it. */
  readonly createdAtMs?: number
  /** A Salesforce user id (15 or 18 characters), checked. */
  readonly actorId?: string
}

const SUPPORTED: ReadonlyArray<FilterName> = ["created_at", "actor_id"]

/**
 * The request's filters as Salesforce can use them. A filter Salesforce does not support is refused here too
 * (the spec allows only `created_at` and `actor_id`), so none is ever silently dropped; an `actor_id` that is
 * not a Salesforce id is refused rather than put into SOQL.
 */
export const readFilters = (filters: ActivityFilters): Either.Either<SalesforceFilters, FilterRejection> => {
  const unsupported = (Object.keys(filters) as Array<FilterName>).find(
    (name) => filters[name] !== undefined && !SUPPORTED.includes(name),
  )
  if (unsupported !== undefined) {
    return Either.left({
      param: unsupported,
      message: `${unsupported} is not supported by the salesforce integration`,
    })
  }
  const { created_at, actor_id } = filters
  const createdAtMs = created_at === undefined ? undefined : Date.parse(created_at)
  if (createdAtMs !== undefined && Number.isNaN(createdAtMs)) {
    return Either.left({ param: "created_at", message: "created_at must be an ISO-8601 date-time" })
  }
  if (actor_id !== undefined && !isSalesforceId(actor_id)) {
    return Either.left({
      param: "actor_id",
      message: "actor_id must be a Salesforce user id: 15 or 18 letters and digits (e.g. 005Hn00000H35JtIAJ)",
    })
  }
  return Either.right({
    ...(createdAtMs === undefined ? {} : { createdAtMs }),
    ...(actor_id === undefined ? {} : { actorId: actor_id }),
  })
}

/**
 * How long after its time a row is assumed visible. Salesforce documents no delay for LoginHistory or
 * SetupAuditTrail; each query ends this far before now anyway (Airbyte's Zendesk margin), so a row written a
 * little late is still read by a later query rather than passed over.
 */
export const DEFAULT_SETTLE_MS = 30_000

export type QueryPlan =
  /** `until` is the instant the query ends at (inclusive). */
  | { readonly _tag: "Query"; readonly soql: string; readonly until: string }
  /** The position is at or past `now − settle`: there is nothing to ask for yet. */
  | { readonly _tag: "NothingYet" }

/**
 * The SOQL that reads a stream from the position's `since` (inclusive, floored to its second; never before
 * a `created_at` filter) to `now − settle`, oldest
 * first, ties by Id: `WHERE LoginTime >= … AND LoginTime <= … [AND UserId = '…'] ORDER BY LoginTime ASC, Id ASC`.
 * Rows of the since second already published are dropped afterwards by `advance`.
 */
export const planQuery = (
  stream: SalesforceStream,
  filters: SalesforceFilters,
  position: Pick<SalesforcePosition, "since">,
  options: { readonly nowMs: number; readonly settleMs?: number },
): QueryPlan => {
  const facts = SalesforceStreams[stream]
  const fromMs = Math.max(Date.parse(position.since), filters.createdAtMs ?? Number.NEGATIVE_INFINITY)
  const untilMs = Math.floor((options.nowMs - (options.settleMs ?? DEFAULT_SETTLE_MS)) / 1000) * 1000
  if (Math.floor(fromMs / 1000) * 1000 > untilMs) return { _tag: "NothingYet" }
  const conditions = [
    `${facts.timeField} >= ${soqlDateTime(fromMs)}`,
    `${facts.timeField} <= ${soqlDateTime(untilMs)}`,
    ...(filters.actorId === undefined ? [] : [`${facts.actorField} = ${soqlString(filters.actorId)}`]),
  ]
  return {
    _tag: "Query",
    soql: `SELECT ${facts.fields.join(", ")} FROM ${facts.object} WHERE ${conditions.join(" AND ")} ORDER BY ${facts.timeField} ASC, Id ASC`,
    until: new Date(untilMs).toISOString(),
  }
}

export const queryPath = (apiVersion: string) => `/services/data/v${apiVersion}/query`

/** The first request of a query, on the account's own instance (its `base_url`). */
export const queryUrl = (instance: URL, apiVersion: string, soql: string): URL => {
  const url = new URL(queryPath(apiVersion), instance.origin)
  url.searchParams.set("q", soql)
  return url
}

/** Batch sizes Salesforce accepts in `Sforce-Query-Options` (a hint: it may answer fewer). */
export const BATCH_SIZE_MIN = 200
export const BATCH_SIZE_MAX = 2000

/** Asks for batches of about `limit` rows. */
export const queryOptionsHeader = (limit: number): { readonly "Sforce-Query-Options": string } => ({
  "Sforce-Query-Options": `batchSize=${Math.min(BATCH_SIZE_MAX, Math.max(BATCH_SIZE_MIN, Math.floor(limit)))}`,
})

const NEXT_RECORDS_PATH = /^\/services\/data\/v\d{2,3}\.0\/query\/[A-Za-z0-9]+-\d+$/

/**
 * The URL of the next batch: Salesforce's `nextRecordsUrl` (a path such as
 * `/services/data/v62.0/query/01gRO0000016PIAYA2-2000`) on the account's instance. Anything naming a host, or
 * not a query locator path, is refused before any request.
 */
export const nextRecordsUrl = (
  instance: URL,
  next: string,
): Either.Either<URL, ForeignHostRefused | ProviderBadResponse> => {
  if (NEXT_RECORDS_PATH.test(next)) return Either.right(new URL(next, instance.origin))
  const elsewhere = URL.parse(next, instance.origin)
  if (elsewhere !== null && elsewhere.origin !== instance.origin) {
    return Either.left(
      new ForeignHostRefused({
        integration: "salesforce",
        host: elsewhere.host,
        message: `refused salesforce nextRecordsUrl to ${elsewhere.host}: the account's instance is ${instance.host}`,
      }),
    )
  }
  return Either.left(
    new ProviderBadResponse({
      integration: "salesforce",
      message: `salesforce nextRecordsUrl ${JSON.stringify(next)} is not a query locator path`,
    }),
  )
}
