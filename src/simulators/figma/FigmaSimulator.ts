import { Effect, type Scope } from "effect"
import { basicCredentials, credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { figmaEvents, type MalformedRecord } from "./activityLogRecords.ts"

export interface FigmaSimulatorOptions extends SimulatorOptions {
  /** Tier 3 requests a minute; 150 (Enterprise, Full seat) unless given. */
  readonly requestsPerMinute?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
  /**
   * What `meta.cursor` holds on a page with `next_page` false: a cursor (unless given), or none, absent or
   * null. Figma types the cursor as optional and does not say it comes on the last page.
   */
  readonly lastPageCursor?: "cursor" | "absent" | "null"
}

export interface FigmaSimulatorHandle extends ProviderSimulator {
  readonly integration: "figma"
  /** The org admin's refresh token with the OAuth app's client, the richest form the connector takes. */
  readonly credentials: {
    readonly refresh_token: string
    readonly client_id: string
    readonly client_secret: string
  }
  readonly settings: { readonly token_url: string }
  /** An access token with the scope `org:activity_log_read` alone, accepted as Bearer. */
  readonly accessToken: string
  /** A valid token carrying other scopes (`files:read`): Figma refuses it here (403). */
  readonly otherScopeToken: string
  readonly orgId: string
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` requests get a 429 whose Retry-After says `resetInMs` (rounded up to seconds). */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Every cursor handed out so far is refused from now on (400). */
  readonly expireCursors: () => void
  /** Appends any raw event, as logged now: a late one when its timestamp is past. */
  readonly inject: (record: Record<string, unknown>) => void
  readonly injectMalformed: (flaw: MalformedRecord) => Record<string, unknown>
  /** Appends `count` events all stamped with the current second. */
  readonly emit: (count: number) => void
}

interface Note {
  /** Events on the page, for a list answered 200. */
  readonly events?: number
}

interface Stored {
  /** The order Figma logged it in. */
  readonly seq: number
  readonly record: Record<string, unknown>
}

/** What a cursor remembers: the query it continues and the last event it handed out. */
interface CursorState {
  readonly generation: number
  readonly after: number
  readonly events: ReadonlyArray<string> | null
  readonly start: number | null
  readonly end: number | null
  readonly order: "asc" | "desc"
}

const ACTIVITY_LOGS = "/v1/activity_logs"
const REFRESH = "/v1/oauth/refresh"
const DAY_MS = 86_400_000
const MAX_LIMIT = 1000

/** Figma's error body for this operation (`ErrorResponsePayloadWithErrorBoolean`). */
const failure = (status: number, message: string): Reply<Note> => ({
  status,
  body: { error: true, status, message },
})

const encodeCursor = (state: CursorState) => Buffer.from(JSON.stringify(state)).toString("base64url")
const decodeCursor = (text: string): CursorState | undefined => {
  try {
    const state = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as CursorState
    return typeof state.after === "number" && typeof state.generation === "number" ? state : undefined
  } catch {
    return undefined
  }
}

/** A whole number of seconds, or undefined when absent; NaN when present but not one. */
const secondsParam = (value: string | null): number | undefined =>
  value === null ? undefined : /^\d+$/.test(value) ? Number(value) : Number.NaN

/**
 * A Figma Enterprise organization over real HTTP on 127.0.0.1: `GET /v1/activity_logs` with `events`,
 * `start_time`/`end_time` (Unix seconds, inclusive), `limit` (≤ 1000), `order` and `cursor` in Figma's page
 * envelope (`meta.activity_logs`, `meta.cursor`, `meta.next_page`); Bearer OAuth tokens scoped
 * `org:activity_log_read` alone; the refresh endpoint `POST /v1/oauth/refresh` with the client as Basic; a
 * per-minute Tier 3 budget answered with 429, `Retry-After` and the `X-Figma-*` headers. Events are listed in
 * the order they were logged (by timestamp, but for one injected late), and a cursor continues from the last
 * event it handed out, so asking with an old cursor yields what was logged since.
 */
export const startFigmaSimulator = (
  options: FigmaSimulatorOptions = {},
): Effect.Effect<FigmaSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const clientId = newSecret(16)
    const clientSecret = newSecret(24)
    const refreshToken = newSecret(32)
    const accessToken = newSecret(32)
    const otherScopeToken = newSecret(32)
    const issued = new Set([accessToken])
    const window = rateLimitWindow({
      limit: options.requestsPerMinute ?? 150,
      windowMs: 60_000,
      // Figma sends no quota headers on success; only the 429 is used from the window.
      headers: RateLimitHeaders.xRateLimit,
      retryAfter: true,
      refusalBody: () => ({ error: true, status: 429, message: "Rate limit exceeded" }),
    })
    const generator = figmaEvents(options.seed ?? 1)
    const store: Stored[] = []
    let seq = 0
    let generation = 0
    const log = (record: Record<string, unknown>) => {
      store.push({ seq: ++seq, record })
    }
    const nowSeconds = () => Math.floor(now() / 1000)

    const refresh = (request: SimulatorRequest): Reply<Note> => {
      if (request.method !== "POST") return failure(405, "Method not allowed")
      const client = basicCredentials(request.authorization)
      const form = new URLSearchParams(request.body)
      const clientIdSent = client?.userId ?? form.get("client_id")
      const secretSent = client?.password ?? form.get("client_secret")
      if (clientIdSent !== clientId || secretSent !== clientSecret)
        return failure(401, "Invalid client credentials")
      if (form.get("refresh_token") !== refreshToken) return failure(400, "Invalid refresh token")
      const token = newSecret(32)
      issued.add(token)
      // Figma's refresh answers a new access token only; the refresh token stays the same.
      return { status: 200, body: { access_token: token, expires_in: 7_776_000 } }
    }

    const list = (request: SimulatorRequest): Reply<Note> => {
      const params = request.url.searchParams
      const cursorText = params.get("cursor")
      const limitText = params.get("limit")
      const limit = limitText === null ? MAX_LIMIT : /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
        return failure(400, `limit must be an integer between 1 and ${MAX_LIMIT}`)
      let state: CursorState
      if (cursorText !== null) {
        const decoded = decodeCursor(cursorText)
        if (decoded === undefined || decoded.generation !== generation)
          return failure(400, "Invalid or expired cursor")
        state = decoded
      } else {
        const start = secondsParam(params.get("start_time"))
        const end = secondsParam(params.get("end_time"))
        if (Number.isNaN(start) || Number.isNaN(end))
          return failure(400, "start_time and end_time must be Unix timestamps in seconds")
        const order = params.get("order") ?? "asc"
        if (order !== "asc" && order !== "desc") return failure(400, "order must be asc or desc")
        const events = params.get("events")
        state = {
          generation,
          after: order === "asc" ? 0 : Number.POSITIVE_INFINITY,
          events: events === null || events === "" ? null : events.split(","),
          // Figma's defaults: a year ago and now.
          start: start ?? nowSeconds() - 365 * 86_400,
          end: end ?? null,
          order,
        }
      }
      const matching = store.filter(({ seq: n, record }) => {
        const ts = record.timestamp as number
        const type = (record.action as { type?: string } | undefined)?.type ?? ""
        return (
          (state.order === "asc" ? n > state.after : n < state.after) &&
          (state.events === null || state.events.includes(type)) &&
          (state.start === null || typeof ts !== "number" || ts >= state.start) &&
          (state.end === null || typeof ts !== "number" || ts <= state.end)
        )
      })
      const ordered = state.order === "asc" ? matching : [...matching].reverse()
      const page = ordered.slice(0, limit)
      const last = page.at(-1)
      // An empty first page still hands out a cursor: from everything logged so far, for the next poll.
      const after =
        last?.seq ?? (cursorText === null ? (state.order === "asc" ? seq : state.after) : state.after)
      const nextPage = ordered.length > page.length
      const cursorForm = nextPage ? "cursor" : (options.lastPageCursor ?? "cursor")
      return {
        status: 200,
        body: {
          status: 200,
          error: false,
          i18n: null,
          meta: {
            activity_logs: page.map(({ record }) => record),
            ...(cursorForm === "absent"
              ? {}
              : { cursor: cursorForm === "null" ? null : encodeCursor({ ...state, after }) }),
            next_page: nextPage,
          },
        },
        note: { events: page.length },
      }
    }

    const handle = (request: SimulatorRequest): Reply<Note> => {
      const path = request.url.pathname
      if (path === REFRESH) return refresh(request)
      if (path !== ACTIVITY_LOGS) return failure(404, "Not found")
      const verdict = window.take(request.receivedAt)
      if (verdict.refusal) {
        return {
          ...verdict.refusal,
          headers: {
            ...verdict.refusal.headers,
            "X-Figma-Plan-Tier": "enterprise",
            "X-Figma-Rate-Limit-Type": "high",
            "X-Figma-Upgrade-Link": "https://www.figma.com/pricing",
          },
        }
      }
      if (request.method !== "GET") return failure(405, "Method not allowed")
      const token = credentialsUnder(request.authorization, "Bearer")
      if (token === otherScopeToken) return failure(403, "Token must be scoped to org:activity_log_read only")
      if (token === undefined || !issued.has(token)) return failure(401, "Invalid token")
      return list(request)
    }

    const server = yield* serveSimulator<Note>({ port: options.port, handle })
    const start = now()
    const historySize = options.historySize ?? 50
    const span = options.historySpanMs ?? 3 * DAY_MS
    // History oldest first, in whole seconds; a few share a second, as busy organizations' do.
    const times = Array.from({ length: historySize }, (_, i) =>
      Math.floor((start - span + ((i + 1) * span) / (historySize + 1)) / 1000),
    )
    for (const [i, at] of times.entries()) log(generator.event(i % 7 === 3 ? (times[i - 1] ?? at) : at))

    return {
      integration: "figma",
      baseUrl: server.origin,
      credentials: { refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      settings: { token_url: `${server.origin}${REFRESH}` },
      accessToken,
      otherScopeToken,
      orgId: generator.orgId,
      emit: (count) => {
        const at = nowSeconds()
        for (let i = 0; i < count; i++) log(generator.event(at))
      },
      events: () => store.map(({ record }) => record),
      requests: requestLog(server),
      forceRateLimited: window.forceLimited,
      expireCursors: () => {
        generation++
      },
      inject: (record) => log(record),
      injectMalformed: (flaw) => {
        const record = generator.malformed(flaw, nowSeconds())
        log(record)
        return record
      },
    } satisfies FigmaSimulatorHandle
  })
