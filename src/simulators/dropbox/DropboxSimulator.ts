import { Effect, type Scope } from "effect"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { dropboxSecond, type MalformedFlaw, type TeamMember, teamEventRecords } from "./teamEventRecords.ts"

export interface DropboxSimulatorOptions extends SimulatorOptions {
  /** Requests a minute before a 429; Dropbox publishes no number for team_log, so this is generous by default. */
  readonly requestsPerMinute?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
}

export interface DropboxSimulatorHandle extends ProviderSimulator {
  readonly integration: "dropbox"
  /** The app's key and secret with a team refresh token, exchanged at `settings.token_url`. */
  readonly credentials: {
    readonly refresh_token: string
    readonly client_id: string
    readonly client_secret: string
  }
  readonly settings: { readonly token_url: string }
  /** A team access token (`events.read`), accepted as Bearer. */
  readonly accessToken: string
  readonly members: ReadonlyArray<TeamMember>
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` API requests get a 429 whose Retry-After says `resetInMs` (rounded up to seconds). */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** The next `count` pages come back empty with `has_more: true`, as Dropbox documents they may. */
  readonly forceEmptyPages: (count: number) => void
  /** Every cursor issued so far is refused from now on with 409 `reset`. */
  readonly resetCursors: () => void
  /** Appends any raw event, published now, timestamped `at` (now unless given): a late event when `at` is past. */
  readonly inject: (record: Record<string, unknown>, at?: number) => Record<string, unknown>
  readonly injectMalformed: (flaw: MalformedFlaw) => Record<string, unknown>
  /** Revokes every access token issued at the token endpoint. */
  readonly revokeIssuedTokens: () => void
}

interface Note {
  /** The JSON body (get_events' arguments, the continue cursor), for the API routes. */
  readonly body?: unknown
  /** Events on the page, for an answer 200. */
  readonly records?: number
}

interface Stored {
  readonly at: number
  readonly record: Record<string, unknown>
}

/** What a cursor remembers: the query, how far into the published events it has read, and its generation. */
interface CursorState {
  readonly g: number
  readonly p: number
  readonly l: number
  readonly s?: number
  readonly e?: number
  readonly a?: string
  readonly t?: string
  readonly c?: string
  /** The latest timestamp returned through this cursor (epoch ms): a reset's resumption point. */
  readonly last?: number
  readonly n: number
}

const DAY_MS = 86_400_000
const GET_EVENTS = "/2/team_log/get_events"
const CONTINUE = "/2/team_log/get_events/continue"
const TOKEN_PATH = "/oauth2/token"
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

const routeError = (tag: string, extra: Record<string, unknown> = {}) => ({
  error_summary: `${tag}/..`,
  error: { ".tag": tag, ...extra },
})

/** A 400 is plain text at Dropbox; the kit writes JSON, so it goes out as a JSON string. */
const badInput = (route: string, problem: string): Reply<Note> => ({
  status: 400,
  body: `Error in call to API function "${route}": ${problem}`,
})

const encodeCursor = (state: CursorState) => Buffer.from(JSON.stringify(state)).toString("base64url")
const decodeCursor = (text: unknown): CursorState | undefined => {
  if (typeof text !== "string" || text === "") return undefined
  try {
    const state = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as CursorState
    return typeof state.p === "number" && typeof state.g === "number" ? state : undefined
  } catch {
    return undefined
  }
}

/**
 * A Dropbox Business team over real HTTP on 127.0.0.1: `POST /2/team_log/get_events` and `/continue` with their
 * JSON arguments (limit, account_id as actor/context/participant, time range in whole seconds, category or
 * event_type), cursors that change on every answer and keep returning newly published events, empty pages
 * with `has_more`, 409 route errors (`reset` with its timestamp, `bad_cursor`, `invalid_filters`,
 * `invalid_time_range`, `account_id_not_found`), 401 AuthError bodies, 429 with `Retry-After`, and the OAuth
 * token endpoint (`POST /oauth2/token`, refresh-token grant, app key and secret as form fields or Basic).
 * Events are returned in publishing order, which is not timestamp order.
 */
export const startDropboxSimulator = (
  options: DropboxSimulatorOptions = {},
): Effect.Effect<DropboxSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const accessToken = `sl.${newSecret(48)}`
    const clientId = newSecret(11).toLowerCase()
    const clientSecret = newSecret(11).toLowerCase()
    const refreshToken = newSecret(48)
    const issued = new Map<string, number>()
    const window = rateLimitWindow({
      limit: options.requestsPerMinute ?? 100_000,
      windowMs: 60_000,
      // Only the quota is used: Dropbox sends no rate-limit headers, only Retry-After on its 429.
      headers: RateLimitHeaders.xRateLimit,
      refusalBody: () => undefined,
    })
    let generation = 0
    let emptyPages = 0
    let nonce = 0
    const store: Stored[] = []
    const records = teamEventRecords(options.seed ?? 1)

    const tokenEndpoint = (request: SimulatorRequest): Reply<Note> => {
      const form = new URLSearchParams(request.body)
      const oauthError = (status: number, error: string, description: string): Reply<Note> => ({
        status,
        body: { error, error_description: description },
      })
      if (request.method !== "POST") return oauthError(400, "invalid_request", "must use POST")
      const basic = request.authorization.scheme?.toLowerCase() === "basic"
      const [id, secret] = basic
        ? Buffer.from(request.authorization.credentials, "base64").toString("utf8").split(":")
        : [form.get("client_id"), form.get("client_secret")]
      if (form.get("grant_type") !== "refresh_token")
        return oauthError(400, "unsupported_grant_type", "grant_type must be refresh_token")
      if (id !== clientId || secret !== clientSecret)
        return oauthError(400, "invalid_client", "Invalid client_id or client_secret")
      if (form.get("refresh_token") !== refreshToken)
        return oauthError(400, "invalid_grant", "refresh token is invalid or revoked")
      const token = `sl.${newSecret(48)}`
      issued.set(token, now() + 14_400_000)
      return { status: 200, body: { access_token: token, token_type: "bearer", expires_in: 14_400 } }
    }

    const authError = (request: SimulatorRequest): Reply<Note> | undefined => {
      const token = credentialsUnder(request.authorization, "Bearer")
      if (token === accessToken) return undefined
      const expiresAt = token === undefined ? undefined : issued.get(token)
      if (expiresAt !== undefined && expiresAt > now()) return undefined
      const tag = expiresAt === undefined ? "invalid_access_token" : "expired_access_token"
      return { status: 401, body: routeError(tag) }
    }

    const matches = (state: CursorState, stored: Stored) => {
      const record = stored.record
      if (state.s !== undefined && stored.at < state.s) return false
      if (state.e !== undefined && stored.at >= state.e) return false
      if (state.t !== undefined && (record.event_type as { ".tag"?: string })?.[".tag"] !== state.t)
        return false
      if (state.c !== undefined && (record.event_category as { ".tag"?: string })?.[".tag"] !== state.c)
        return false
      if (state.a !== undefined && !JSON.stringify(record).includes(`"account_id":"${state.a}"`)) return false
      return true
    }

    /** One page from the cursor's position: up to `limit` matching events, and the cursor after them. */
    const page = (state: CursorState): Reply<Note> => {
      if (emptyPages > 0) {
        emptyPages--
        const cursor = encodeCursor({ ...state, n: ++nonce })
        return { status: 200, body: { events: [], cursor, has_more: true }, note: { records: 0 } }
      }
      const events: Stored[] = []
      let position = state.p
      while (position < store.length && events.length < state.l) {
        const stored = store[position] as Stored
        position++
        if (matches(state, stored)) events.push(stored)
      }
      // Skip what cannot match, so has_more means matching events are waiting.
      while (position < store.length && !matches(state, store[position] as Stored)) position++
      const last = Math.max(state.last ?? Number.NEGATIVE_INFINITY, ...events.map((e) => e.at))
      const cursor = encodeCursor({
        ...state,
        p: position,
        n: ++nonce,
        ...(Number.isFinite(last) ? { last } : {}),
      })
      return {
        status: 200,
        body: { events: events.map((e) => e.record), cursor, has_more: position < store.length },
        note: { records: events.length },
      }
    }

    const getEvents = (body: Record<string, unknown>): Reply<Note> => {
      const route = "team_log/get_events"
      const limit = body.limit ?? 1000
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 1000)
        return badInput(route, "request body: limit: value must be between 1 and 1000")
      if (body.category !== undefined && body.event_type !== undefined)
        return { status: 409, body: routeError("invalid_filters") }
      const time = (body.time ?? {}) as { start_time?: unknown; end_time?: unknown }
      for (const bound of [time.start_time, time.end_time]) {
        if (bound !== undefined && (typeof bound !== "string" || !TIMESTAMP.test(bound)))
          return badInput(route, "request body: time: timestamp must be %Y-%m-%dT%H:%M:%SZ")
      }
      const start = typeof time.start_time === "string" ? Date.parse(time.start_time) : undefined
      const end = typeof time.end_time === "string" ? Date.parse(time.end_time) : undefined
      if (start !== undefined && end !== undefined && start > end)
        return { status: 409, body: routeError("invalid_time_range") }
      const account = body.account_id
      if (account !== undefined && !records.members.some((m) => m.account_id === account))
        return { status: 409, body: routeError("account_id_not_found") }
      const tagOf = (value: unknown) =>
        typeof value === "string" ? value : (value as { ".tag"?: string } | undefined)?.[".tag"]
      const t = tagOf(body.event_type)
      const c = tagOf(body.category)
      return page({
        g: generation,
        p: 0,
        l: limit,
        n: 0,
        ...(start === undefined ? {} : { s: start }),
        ...(end === undefined ? {} : { e: end }),
        ...(typeof account === "string" ? { a: account } : {}),
        ...(t === undefined ? {} : { t }),
        ...(c === undefined ? {} : { c }),
      })
    }

    const continueEvents = (body: Record<string, unknown>): Reply<Note> => {
      const state = decodeCursor(body.cursor)
      if (state === undefined) return { status: 409, body: routeError("bad_cursor") }
      if (state.g !== generation) {
        const at = state.last ?? state.s ?? now()
        return { status: 409, body: routeError("reset", { reset: dropboxSecond(at) }) }
      }
      return page(state)
    }

    const handle = (request: SimulatorRequest): Reply<Note> => {
      const path = request.url.pathname
      if (path === TOKEN_PATH) return tokenEndpoint(request)
      if (path !== GET_EVENTS && path !== CONTINUE) return { status: 404, body: routeError("not_found") }
      const verdict = window.take(request.receivedAt)
      if (verdict.refusal) {
        const seconds = Math.max(1, Math.ceil((verdict.quota.resetAt - request.receivedAt) / 1000))
        return {
          status: 429,
          headers: { "Retry-After": String(seconds) },
          body: {
            error_summary: "too_many_requests/..",
            error: { reason: { ".tag": "too_many_requests" }, retry_after: seconds },
          },
        }
      }
      const route = path === GET_EVENTS ? "team_log/get_events" : "team_log/get_events/continue"
      if (request.method !== "POST") return badInput(route, "expected POST")
      const unauthorized = authError(request)
      if (unauthorized) return unauthorized
      if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
        return badInput(route, `Bad HTTP "Content-Type" header: "${request.headers["content-type"] ?? ""}"`)
      let body: unknown
      try {
        body = JSON.parse(request.body)
      } catch {
        return badInput(route, "request body: could not decode input as JSON")
      }
      if (body === null || typeof body !== "object" || Array.isArray(body))
        return badInput(route, "request body: expected object")
      const reply =
        path === GET_EVENTS
          ? getEvents(body as Record<string, unknown>)
          : continueEvents(body as Record<string, unknown>)
      return { ...reply, note: { ...reply.note, body } }
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      everyResponse: () => ({ "X-Dropbox-Request-Id": newSecret(16) }),
      handle,
    })
    for (const generated of records.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 3 * DAY_MS,
    )) {
      store.push(generated)
    }

    const publish = (record: Record<string, unknown>, at: number) => {
      store.push({ at: Math.floor(at / 1000) * 1000, record })
      return record
    }

    return {
      integration: "dropbox",
      baseUrl: server.origin,
      credentials: { refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      settings: { token_url: `${server.origin}${TOKEN_PATH}` },
      accessToken,
      members: records.members,
      emit: (count) => {
        for (const generated of records.burst(count, now())) store.push(generated)
      },
      events: () => store.map((stored) => stored.record),
      requests: requestLog(server),
      forceRateLimited: window.forceLimited,
      forceEmptyPages: (count) => {
        emptyPages = count
      },
      resetCursors: () => {
        generation++
      },
      inject: (record, at) => publish({ timestamp: dropboxSecond(at ?? now()), ...record }, at ?? now()),
      injectMalformed: (flaw) => {
        const generated = records.malformed(flaw, now())
        return publish(generated.record, generated.at)
      },
      revokeIssuedTokens: () => issued.clear(),
    } satisfies DropboxSimulatorHandle
  })
