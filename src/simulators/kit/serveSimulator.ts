import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"
import { type Authorization, parseAuthorization } from "./authorization.ts"
import type { Reply } from "./Reply.ts"
import type { RateLimitQuota, RateLimitWindow } from "./rateLimitWindow.ts"
import { serveOnLoopback } from "./serveOnLoopback.ts"
import { simulatorClock } from "./simulatorClock.ts"

/** One request, read whole, as a simulator's handler sees it. */
export interface SimulatorRequest {
  readonly method: string
  /** Absolute, on the simulator's own origin. */
  readonly url: URL
  /** `http://127.0.0.1:<port>`, for the links and URLs the simulator writes. */
  readonly origin: string
  readonly headers: IncomingHttpHeaders
  readonly authorization: Authorization
  readonly body: string
  /** Epoch ms by the simulator's clock. */
  readonly receivedAt: number
}

/** One exchange as the request log keeps it: never a credential, only the scheme it came under. */
export interface LoggedRequest<Note = never> {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly authScheme: string | undefined
  readonly status: number
  readonly receivedAt: number
  /** The quota the response reported, when the server has a rate limit. */
  readonly rateLimit?: RateLimitQuota
  readonly note?: Note
}

export interface SimulatorServerOptions<Note> {
  readonly port?: number | undefined
  /** Of every JSON reply; providers differ in the charset parameter. */
  readonly contentType?: string
  /** Headers the provider sends on every response (request ids…). */
  readonly everyResponse?: () => Readonly<Record<string, string>>
  /** Counted before `handle`: a request over budget gets the window's 429 and never reaches `handle`. */
  readonly rateLimit?: RateLimitWindow
  readonly handle: (request: SimulatorRequest) => Reply<Note>
}

export interface SimulatorServer<Note> {
  readonly origin: string
  /** Every request so far, oldest first. */
  readonly requests: () => ReadonlyArray<LoggedRequest<Note>>
}

const toHeaderValue = (value: string | ReadonlyArray<string>) =>
  typeof value === "string" ? value : [...value]

/**
 * A simulator's HTTP side: a loopback server for the life of the scope that reads each request whole, counts
 * it against the rate limit, asks `handle` for the reply, writes it as JSON with the rate-limit and
 * every-response headers, and logs the exchange. Requests are stamped by the Effect `Clock` it starts under.
 */
export const serveSimulator = <Note = never>(
  options: SimulatorServerOptions<Note>,
): Effect.Effect<SimulatorServer<Note>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const contentType = options.contentType ?? "application/json"
    const log: Array<LoggedRequest<Note>> = []

    const respond = (req: IncomingMessage, res: ServerResponse, origin: string, body: string) => {
      const receivedAt = now()
      const url = new URL(req.url ?? "/", origin)
      const method = req.method ?? "GET"
      const authorization = parseAuthorization(req.headers.authorization)
      const verdict = options.rateLimit?.take(receivedAt)
      let reply: Reply<Note>
      try {
        reply =
          verdict?.refusal ??
          options.handle({ method, url, origin, headers: req.headers, authorization, body, receivedAt })
      } catch (error) {
        // A simulator bug should read as one in the test that hit it, not as a hung request.
        reply = { status: 500, body: { error: "simulator_failure", message: String(error) } }
      }
      log.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authScheme: authorization.scheme,
        status: reply.status,
        receivedAt,
        ...(verdict ? { rateLimit: verdict.quota } : {}),
        ...(reply.note === undefined ? {} : { note: reply.note }),
      })
      const headers = { ...options.everyResponse?.(), ...verdict?.headers, ...reply.headers }
      res.statusCode = reply.status
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, toHeaderValue(value))
      if (reply.body === undefined) return res.end()
      res.setHeader("Content-Type", contentType)
      res.end(JSON.stringify(reply.body))
    }

    const origin = yield* serveOnLoopback(options.port, (req, res, origin) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("error", () => res.destroy())
      req.on("end", () => respond(req, res, origin, Buffer.concat(chunks).toString("utf8")))
    })
    return { origin, requests: () => [...log] }
  })
