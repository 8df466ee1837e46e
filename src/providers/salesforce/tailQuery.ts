import { Duration, Either, Schema } from "effect"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import { ContinuationRefused } from "../../http/ProviderError.ts"
import { LOGIN_HISTORY } from "./SalesforceLoginHistory.ts"
import { SETUP_AUDIT_TRAIL } from "./SalesforceSetupAuditTrail.ts"
import { isSalesforceId, soqlDateTime, soqlString } from "./soql.ts"

// The requests of continuous tailing, as plain data: which SOQL to send for a stream from a position, where
// (`GET {instance}/services/data/vXX.X/query?q=…`), and whether the next batch (`nextRecordsUrl`, a path on
// the account's own instance, never a host from elsewhere) is followed. No HTTP here.

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
    // LoginHistory's fields (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm);
    // an org whose API version lacks a field answers
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

/** The filters that reach Salesforce (as SOQL conditions); the spec allows no others for Salesforce. */
export const PUSHED_DOWN: ReadonlyArray<FilterName> = ["created_at", "actor_id"]

/**
 * The request's filters as Salesforce can use them. A filter Salesforce does not support is refused here too
 * (the spec allows only `created_at` and `actor_id`), so none is ever silently dropped; an `actor_id` that is
 * not a Salesforce id is refused rather than put into SOQL.
 */
export const readFilters = (filters: ActivityFilters): Either.Either<SalesforceFilters, FilterRejection> => {
  const unsupported = (Object.keys(filters) as Array<FilterName>).find(
    (name) => filters[name] !== undefined && !PUSHED_DOWN.includes(name),
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

/** False when the filters can match no row (an `actor_id` that is no Salesforce id): nothing is asked. */
export const canMatch = (filters: ActivityFilters): boolean => Either.isRight(readFilters(filters))

/**
 * How long after its time a row is assumed visible (the stream's settle window). Salesforce documents no delay
 * for LoginHistory or SetupAuditTrail; reads end this far before now anyway (Airbyte's Zendesk margin), so a
 * row written a little late is read by a later poll rather than passed over.
 */
export const SETTLE = Duration.seconds(30)

/** A read's time range, as the contract's PageQuery gives it: `from` inclusive, `to` exclusive (epoch ms). */
export interface TimeWindow {
  readonly from?: number | undefined
  readonly to?: number | undefined
}

const SECOND = 1000

/**
 * The SOQL that reads a stream over `[from, to)`, oldest first, ties by Id:
 * `WHERE LoginTime >= … AND LoginTime < … [AND UserId = '…'] ORDER BY LoginTime ASC, Id ASC`. SOQL literals are
 * whole seconds, so `from` is floored and `to` rounded up: the read covers the window and at most a second more
 * at each end, which a watermark read drops (rows before `from` or at/after `to`). Filters that can match
 * nothing (see `canMatch`, consulted first) give a query that matches nothing, never a raw value in SOQL.
 */
export const soqlQuery = (stream: SalesforceStream, filters: ActivityFilters, window: TimeWindow): string => {
  const facts = SalesforceStreams[stream]
  const read = readFilters(filters)
  const conditions = [
    ...(window.from === undefined ? [] : [`${facts.timeField} >= ${soqlDateTime(window.from)}`]),
    ...(window.to === undefined
      ? []
      : [`${facts.timeField} < ${soqlDateTime(Math.ceil(window.to / SECOND) * SECOND)}`]),
    ...(Either.isLeft(read)
      ? ["Id = null"]
      : read.right.actorId === undefined
        ? []
        : [`${facts.actorField} = ${soqlString(read.right.actorId)}`]),
  ]
  const where = conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`
  return `SELECT ${facts.fields.join(", ")} FROM ${facts.object}${where} ORDER BY ${facts.timeField} ASC, Id ASC`
}

/** A request as the contract's ProviderCall describes one: a path on the account's origin and its parameters. */
export interface QueryCall {
  readonly target: string
  readonly query: { readonly q: string }
  readonly headers: { readonly "Sforce-Query-Options": string }
}

/** The first request of a read (`paging.first`): the query resource at the pinned version, batches of about `limit`. */
export const queryCall = (
  stream: SalesforceStream,
  apiVersion: string,
  query: TimeWindow & { readonly filters: ActivityFilters; readonly limit: number },
): QueryCall => ({
  target: queryPath(apiVersion),
  query: { q: soqlQuery(stream, query.filters, query) },
  headers: queryOptionsHeader(query.limit),
})

export const queryPath = (apiVersion: string) => `/services/data/v${apiVersion}/query`

/** Batch sizes Salesforce accepts in `Sforce-Query-Options` (a hint: it may answer fewer). */
export const BATCH_SIZE_MIN = 200
export const BATCH_SIZE_MAX = 2000

/** Asks for batches of about `limit` rows. */
export const queryOptionsHeader = (limit: number): { readonly "Sforce-Query-Options": string } => ({
  "Sforce-Query-Options": `batchSize=${Math.min(BATCH_SIZE_MAX, Math.max(BATCH_SIZE_MIN, Math.floor(limit)))}`,
})

/** The query resource (`/services/data/vXX.X/query`) and, under it or `queryAll`, a batch: `<locator>`. */
const QUERY_PATH = /^\/services\/data\/v\d{2,3}\.0\/(?:query|(?:query|queryAll)\/([^/]+))$/

/**
 * A query locator as one literal path segment: Salesforce documents it only as "a string" (Query More Results,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query_more_results.htm),
 * so any shape is taken that cannot leave the segment: no `/`, no percent-encoding (an encoded slash or dot),
 * no `?` or `#`, and not `.` or `..`.
 */
const isLocator = (segment: string): boolean =>
  /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/.test(segment) && !/^\.{1,2}$/.test(segment)

/** Whether a path is the query resource or one of its batches: the only paths a Salesforce stream requests. */
export const isQueryResourcePath = (pathname: string): boolean => {
  const match = QUERY_PATH.exec(pathname)
  return match !== null && (match[1] === undefined || isLocator(match[1]))
}

const quoted = (next: string) => JSON.stringify(next.length > 200 ? `${next.slice(0, 200)}…` : next)

/**
 * The request for the next batch, from `nextRecordsUrl`: a path on the account's own instance,
 * `/services/data/vXX.X/query/<locator>`, at the version the read uses. `queryAll/<locator>` is taken too:
 * Salesforce answers a locator under either (QueryAll More Results,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall_more_results.htm).
 * Anything else is refused before any request, for good: a retry reads the same batch and is handed the
 * same URL, so the account stops with the reason instead of retrying forever.
 */
export const followNextRecordsUrl = (
  next: string,
  apiVersion: string,
): Either.Either<{ readonly target: string }, ContinuationRefused> => {
  const query = queryPath(apiVersion)
  const prefix = [`${query}/`, `${query}All/`].find((p) => next.startsWith(p))
  if (prefix !== undefined && isLocator(next.slice(prefix.length))) return Either.right({ target: next })
  // Resolved against a stand-in origin only to see whether the URL names a host of its own (`https://…`,
  // `//…`, `/\…`): the path checks above already refused it, this only makes the message say why.
  const elsewhere = URL.parse(next, "https://instance.invalid")
  const host = elsewhere !== null && elsewhere.host !== "instance.invalid" ? elsewhere.host : undefined
  return Either.left(
    host === undefined
      ? new ContinuationRefused({
          integration: "salesforce",
          message: `salesforce nextRecordsUrl ${quoted(next)} is not a query locator under /services/data/v${apiVersion}/query; not followed`,
        })
      : new ContinuationRefused({
          integration: "salesforce",
          host,
          message: `salesforce nextRecordsUrl ${quoted(next)} names the host ${host}, not the account's instance; not followed`,
        }),
  )
}
