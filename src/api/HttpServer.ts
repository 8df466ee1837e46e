import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Cause, Context, Data, Effect, FiberSet, Layer, type Scope } from "effect"
import { Config } from "../config/loadConfig.ts"
import type { CursorCodec } from "../cursor/CursorCodec.ts"
import type { ProviderServices } from "../providers/ProviderAdapter.ts"
import type { ApiRequest } from "./ApiRequest.ts"
import type { ApiResponse } from "./ApiResponse.ts"
import { errorResponse, internalErrorResponse } from "./ErrorResponse.ts"
import { makeRouter } from "./Router.ts"

export class ServerListenFailed extends Data.TaggedError("ServerListenFailed")<{
  readonly host: string
  readonly port: number
  readonly message: string
}> {}

export interface ServerAddress {
  readonly host: string
  /** The bound port (the real one when the config asks for port 0). */
  readonly port: number
  /** A URL that reaches the server from this machine (loopback when bound to every interface). */
  readonly url: string
}

/** The services the routes need. */
export type ApiServerRequirements = Config | CursorCodec | ProviderServices

/** How long in-flight requests get to finish at shutdown before their connections are cut. */
const shutdownGrace = "10 seconds"

const toApiRequest = (req: IncomingMessage): ApiRequest | undefined => {
  // The base only completes origin-form targets (`/path?query`); URL.canParse rejects what cannot be a path.
  const target = req.url ?? "/"
  if (!URL.canParse(target, "http://localhost")) return undefined
  const url = new URL(target, "http://localhost")
  return { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers }
}

const writeResponse = (res: ServerResponse, response: ApiResponse) =>
  Effect.try(() => {
    if (res.headersSent || res.destroyed) return
    const body = response.text?.body ?? JSON.stringify(response.body)
    res.writeHead(response.status, {
      ...response.headers,
      "content-type": response.text?.contentType ?? "application/json",
      "content-length": Buffer.byteLength(body),
    })
    res.end(body)
  })

const listen = (host: string, port: number, onRequest: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.async<Server, ServerListenFailed>((resume) => {
    const server = createServer(onRequest)
    const onError = (error: Error) =>
      resume(
        Effect.fail(
          new ServerListenFailed({
            host,
            port,
            message: `cannot listen on ${host}:${port}: ${error.message}`,
          }),
        ),
      )
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.succeed(server))
    })
  })

/** Stops accepting, lets in-flight requests finish within the grace period, then cuts what is left. */
const close = (server: Server) =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeIdleConnections()
  }).pipe(
    Effect.timeout(shutdownGrace),
    Effect.ignore,
    Effect.ensuring(Effect.sync(() => server.closeAllConnections())),
  )

const urlHost = (host: string) => {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1"
  if (host === "::") return "[::1]"
  return host.includes(":") ? `[${host}]` : host
}

/**
 * The HTTP API on `node:http`, bound to `server.host`/`server.port` of the config for the life of the scope.
 * Every request runs as a fiber of the scope: a client that disconnects interrupts its request (and the
 * provider call behind it); closing the scope stops the server.
 */
export const makeApiServer: Effect.Effect<
  ServerAddress,
  ServerListenFailed,
  ApiServerRequirements | Scope.Scope
> = Effect.gen(function* () {
  const { config } = yield* Config
  const route = yield* makeRouter
  const run = yield* FiberSet.makeRuntime<ApiServerRequirements>()

  const handle = (req: IncomingMessage, res: ServerResponse) =>
    Effect.gen(function* () {
      const started = performance.now()
      const request = toApiRequest(req)
      const response =
        request === undefined
          ? errorResponse(400, "invalid_parameter", "the request target is not a valid path")
          : yield* route(request).pipe(
              Effect.catchAllCause((cause) =>
                Cause.isInterruptedOnly(cause)
                  ? Effect.interrupt
                  : Effect.logError("request failed", cause).pipe(Effect.as(internalErrorResponse)),
              ),
            )
      const status = yield* writeResponse(res, response).pipe(
        Effect.as(response.status),
        Effect.catchAll((error) =>
          Effect.logError("response could not be written", error.error).pipe(
            Effect.zipRight(writeResponse(res, internalErrorResponse)),
            Effect.as(internalErrorResponse.status),
            // Not even the fallback went out: cut the connection rather than leave the client waiting.
            Effect.catchAll(() => Effect.sync(() => res.destroy()).pipe(Effect.as(0))),
          ),
        ),
      )
      // The path only: the query may hold a next_cursor, and headers an API key.
      yield* Effect.logInfo("http request").pipe(
        Effect.annotateLogs({
          method: req.method ?? "",
          path: request?.path ?? "(invalid)",
          status,
          duration_ms: Math.round(performance.now() - started),
        }),
      )
    })

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const fiber = run(handle(req, res))
    res.on("close", () => {
      if (!res.writableFinished) fiber.unsafeInterruptAsFork(fiber.id())
    })
  }

  const { host, port } = config.server
  const server = yield* Effect.acquireRelease(listen(host, port, onRequest), close)
  const bound = (server.address() as AddressInfo).port
  const address: ServerAddress = { host, port: bound, url: `http://${urlHost(host)}:${bound}` }
  yield* Effect.logInfo("HTTP API listening").pipe(Effect.annotateLogs({ host, port: bound }))
  return address
})

/** The running API server's address. */
export class ApiServer extends Context.Tag("ApiServer")<ApiServer, ServerAddress>() {
  /** The server for the life of the layer: alongside the pipeline, merge this layer into the app's layers. */
  static readonly layer = Layer.scoped(ApiServer, makeApiServer)
}

/** Serve the API until interrupted (the `serve` command). */
export const serve: Effect.Effect<never, ServerListenFailed, ApiServerRequirements> = Effect.scoped(
  Effect.zipRight(makeApiServer, Effect.never),
)
