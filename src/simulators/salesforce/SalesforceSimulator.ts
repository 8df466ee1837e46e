import { Effect, type Scope } from "effect"
import type { Reply } from "../kit/Reply.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { type MalformedRow, type OrgObject, orgRecords } from "./orgRecords.ts"
import {
  type QueryAnswer,
  type QueryEndpointOptions,
  queryEndpoint,
  type StoredRecord,
} from "./queryEndpoint.ts"
import {
  type SalesforceTokenIssuerOptions,
  salesforceTokenIssuer,
  TOKEN_PATH,
  type TokenRequestNote,
} from "./salesforceTokenIssuer.ts"

export interface SalesforceSimulatorOptions
  extends SimulatorOptions,
    SalesforceTokenIssuerOptions,
    QueryEndpointOptions {
  /** The org's rolling 24-hour API allocation; Developer Edition's 15,000 unless given. */
  readonly dailyApiRequests?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
  /** Port of the login host (login.salesforce.com's stand-in); any free one unless given. */
  readonly loginPort?: number
}

export interface SalesforceTokenRequestReceived extends TokenRequestNote {
  readonly status: number
}

export interface SalesforceSimulatorHandle extends ProviderSimulator {
  readonly integration: "salesforce"
  /** The org's instance (its My Domain): the account's `base_url`. */
  readonly baseUrl: string
  /** The login host, for `settings.login_url`: refresh-token and JWT bearer grants, not client credentials. */
  readonly loginUrl: string
  /** The connected app's refresh-token form (the richest). */
  readonly credentials: {
    readonly client_id: string
    readonly client_secret: string
    readonly refresh_token: string
  }
  readonly jwtCredentials: {
    readonly client_id: string
    readonly username: string
    readonly private_key: string
  }
  readonly clientCredentials: { readonly client_id: string; readonly client_secret: string }
  readonly settings: { readonly login_url: string }
  readonly users: ReadonlyArray<{ readonly id: string; readonly username: string }>
  readonly loginHistory: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly setupAuditTrail: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  /** The API requests (`params.q` holds the SOQL); token requests are in `tokenRequests`. */
  readonly requests: () => ReadonlyArray<RequestReceived<ApiNote>>
  readonly tokenRequests: () => ReadonlyArray<SalesforceTokenRequestReceived>
  /** A session obtained elsewhere, accepted by the API. */
  readonly issueAccessToken: () => string
  /** Every session issued so far ends (an admin revoking them, or the session policy). */
  readonly revokeTokens: () => void
  /**
   * The refresh token the app accepts now: `credentials.refresh_token` until a refresh under
   * `refreshTokenRotation` replaces it; undefined once a rotated-away token's reuse revoked it.
   */
  readonly currentRefreshToken: () => string | undefined
  /** The next `count` API requests get 403 REQUEST_LIMIT_EXCEEDED, as when the daily allocation is spent. */
  readonly forceRequestLimitExceeded: (count: number) => void
  /** The next `count` queries get 500 QUERY_TIMEOUT. */
  readonly forceQueryTimeout: (count: number) => void
  /** Every open query locator dies, as after 15 idle minutes. */
  readonly expireQueryLocators: () => void
  /** Appends any raw row to an object, filed under `at` (now unless given): a late row when `at` is past. */
  readonly inject: (object: OrgObject, row: Record<string, unknown>, at?: number) => void
  readonly injectMalformed: (object: OrgObject, flaw: MalformedRow) => Record<string, unknown>
}

interface ApiNote {
  /** As `Sforce-Limit-Info` reported it; absent on a refused session. */
  readonly apiUsage?: { readonly used: number; readonly allocation: number }
  readonly errorCode?: string
  /** Rows in the batch, for a query answered 200. */
  readonly rows?: number
}
type Note = ApiNote | TokenRequestNote

const DAY_MS = 86_400_000
const MIN_VERSION = 31
const MAX_VERSION = 67
const DATA_PATH = /^\/services\/data\/v(\d{2,3}\.0)\/(query|queryAll|limits)(?:\/([^/]+))?\/?$/
const notFound: QueryAnswer = {
  status: 404,
  errorCode: "NOT_FOUND",
  body: [{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }],
}

/**
 * A Salesforce org over real HTTP on 127.0.0.1: the REST query API on its instance (My Domain), the OAuth token
 * endpoint there and on a separate login host, Bearer sessions, the daily allocation in `Sforce-Limit-Info`
 * and its 403 REQUEST_LIMIT_EXCEEDED. LoginHistory and SetupAuditTrail rows, queried with SOQL.
 */
export const startSalesforceSimulator = (
  options: SalesforceSimulatorOptions = {},
): Effect.Effect<SalesforceSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    let instanceOrigin = ""
    let loginOrigin = ""
    const issuer = salesforceTokenIssuer(now, () => instanceOrigin, options)
    const queries = queryEndpoint(now, options)
    const allocation = options.dailyApiRequests ?? 15_000
    let used = 0
    let forcedLimit = 0
    let forcedTimeout = 0

    const store: Array<StoredRecord> = []
    let seq = 0
    const file = (object: OrgObject, row: Record<string, unknown>, at: number) => {
      store.push({ seq: ++seq, at, object, row })
    }

    const api = (request: SimulatorRequest): Reply<Note> => {
      const path = DATA_PATH.exec(request.url.pathname)
      const version = path?.[1]
      if (
        path === null ||
        version === undefined ||
        Number(version) < MIN_VERSION ||
        Number(version) > MAX_VERSION
      ) {
        return { status: notFound.status, body: notFound.body, note: { errorCode: "NOT_FOUND" } }
      }
      if (!issuer.accepts(request.authorization, request.receivedAt)) {
        return {
          status: 401,
          body: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }],
          note: { errorCode: "INVALID_SESSION_ID" },
        }
      }
      used++
      const apiUsage = { used, allocation }
      const answer = (result: QueryAnswer): Reply<Note> => ({
        status: result.status,
        body: result.body,
        headers: { "Sforce-Limit-Info": `api-usage=${used}/${allocation}` },
        note: {
          apiUsage,
          ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
          ...(result.rows === undefined ? {} : { rows: result.rows }),
        },
      })
      if (request.method !== "GET") {
        return answer({
          status: 405,
          errorCode: "METHOD_NOT_ALLOWED",
          body: [
            {
              errorCode: "METHOD_NOT_ALLOWED",
              message: `HTTP Method '${request.method}' not allowed. Allowed are GET`,
            },
          ],
        })
      }
      if (forcedLimit > 0 || used > allocation) {
        if (forcedLimit > 0) forcedLimit--
        return answer({
          status: 403,
          errorCode: "REQUEST_LIMIT_EXCEEDED",
          body: [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }],
        })
      }
      const [, , resource, rest] = path
      if (resource === "limits") {
        if (rest !== undefined) return answer(notFound)
        return answer({
          status: 200,
          body: { DailyApiRequests: { Max: allocation, Remaining: Math.max(0, allocation - used) } },
        })
      }
      if (forcedTimeout > 0) {
        forcedTimeout--
        return answer({
          status: 500,
          errorCode: "QUERY_TIMEOUT",
          body: [{ message: "query timeout", errorCode: "QUERY_TIMEOUT" }],
        })
      }
      if (rest !== undefined) return answer(queries.more(version, rest))
      return answer(
        queries.run(
          version,
          request.url.searchParams.get("q"),
          request.headers["sforce-query-options"] as string | undefined,
          store,
        ),
      )
    }

    const instance = yield* serveSimulator<Note>({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      handle: (request) =>
        request.url.pathname === TOKEN_PATH
          ? issuer.tokenEndpoint("my-domain", request, loginOrigin)
          : api(request),
    })
    const login = yield* serveSimulator<Note>({
      port: options.loginPort,
      contentType: "application/json;charset=UTF-8",
      handle: (request) =>
        request.url.pathname === TOKEN_PATH
          ? issuer.tokenEndpoint("login", request, loginOrigin)
          : {
              status: 404,
              body: { error: "not_found", error_description: "The requested resource does not exist" },
            },
    })
    instanceOrigin = instance.origin
    loginOrigin = login.origin
    // Rows name the instance's host (LoginUrl), known only now that it listens.
    const records = orgRecords(options.seed ?? 1, new URL(instance.origin).host)
    for (const generated of records.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 3 * DAY_MS,
    )) {
      file(generated.object, generated.row, generated.at)
    }

    const rowsOf = (object: OrgObject) => () => store.filter((r) => r.object === object).map((r) => r.row)
    const isTokenNote = (note: Note | undefined): note is TokenRequestNote =>
      note !== undefined && "host" in note

    return {
      integration: "salesforce",
      baseUrl: instance.origin,
      loginUrl: login.origin,
      credentials: issuer.refresh,
      jwtCredentials: issuer.jwt,
      clientCredentials: issuer.clientCredentials,
      settings: { login_url: login.origin },
      users: records.users,
      emit: (count) => {
        for (const generated of records.burst(count, now()))
          file(generated.object, generated.row, generated.at)
      },
      events: () => store.map((r) => r.row),
      loginHistory: rowsOf("LoginHistory"),
      setupAuditTrail: rowsOf("SetupAuditTrail"),
      requests: requestLog(instance, (r): ApiNote | undefined =>
        isTokenNote(r.note) ? undefined : (r.note ?? {}),
      ),
      tokenRequests: () =>
        [...login.requests(), ...instance.requests()]
          .sort((a, b) => a.receivedAt - b.receivedAt)
          .flatMap((r) => (isTokenNote(r.note) ? [{ ...r.note, status: r.status }] : [])),
      issueAccessToken: issuer.mint,
      revokeTokens: issuer.revokeAll,
      currentRefreshToken: issuer.currentRefreshToken,
      forceRequestLimitExceeded: (count) => {
        forcedLimit = count
      },
      forceQueryTimeout: (count) => {
        forcedTimeout = count
      },
      expireQueryLocators: queries.expireAll,
      inject: (object, row, at) => file(object, row, at ?? now()),
      injectMalformed: (object, flaw) => {
        const generated = records.malformed(object, flaw, now())
        file(object, generated.row, generated.at)
        return generated.row
      },
    } satisfies SalesforceSimulatorHandle
  })
