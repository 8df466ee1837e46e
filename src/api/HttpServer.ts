import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Context, Data, Effect, Exit, Layer, Option, Scope } from "effect"
import { Config } from "../config/Config.ts"
import { durationMs, type ListenerTls } from "../config/ConnectorConfig.ts"
import type { CursorCodec } from "../cursor/CursorCodec.ts"
import { makePrometheus } from "../observability/metrics.ts"
import type { ProviderServices } from "../providers/ProviderAdapter.ts"
import { activitiesPath, ConnectorApi, schemaPaths } from "./Api.ts"
import { type ErrorResponse, errorResponse, retryAfter } from "./ErrorResponse.ts"
import { HealthStatus } from "./HealthStatus.ts"
import { ApiLive } from "./Http.ts"
import { RequestsInFlight } from "./RequestsInFlight.ts"

export interface ServerAddress {
  readonly host: string
  /** The bound port (the real one when the config asks for port 0). */
  readonly port: number
  /** A URL that reaches the server from this machine (loopback when bound to every interface). */
  readonly url: string
}

/** The services the routes need. */
export type ApiServerRequirements = Config | CursorCodec | ProviderServices | RequestsInFlight

const json = (response: ErrorResponse) =>
  HttpServerResponse.unsafeJson(response.body, {
    status: response.status,
    ...(response.headers === undefined ? {} : { headers: response.headers }),
  })

/** A listener that could not bind: which address, and the config key that sets it. */
export class ListenFailed extends Data.TaggedError("ListenFailed")<{ readonly message: string }> {}

const listenFailed = (host: string, port: number, key: string) => (error: HttpServerError.ServeError) => {
  const cause = error.cause as { code?: string; message?: string } | undefined
  const reason =
    cause?.code === "EADDRINUSE"
      ? "the address is already in use (another instance, or another program, listens there)"
      : (cause?.message ?? String(error.cause))
  return new ListenFailed({
    message: `cannot listen on ${host.includes(":") ? `[${host}]` : host}:${port} (${key}.host, ${key}.port): ${reason}; set ${key}.port to a free port, or stop what holds it`,
  })
}

/** Why a PEM file could not be read, without its content. */
const unreadable = (cause: unknown) => {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? "unreadable")
}

/** The listener's certificate and key, read once at start (a renewed certificate takes a restart). */
const readTls = (tls: ListenerTls, configKey: string) =>
  Effect.try({
    try: () => ({ cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) }),
    catch: (cause) => {
      const [key, file] =
        (cause as { path?: string }).path === tls.key_file
          ? ["key_file", tls.key_file]
          : ["cert_file", tls.cert_file]
      return new ListenFailed({ message: `cannot read ${configKey}.${key} ${file} (${unreadable(cause)})` })
    },
  })

/**
 * Node's server (HTTPS when the listener's `tls` is set) with explicit timeouts. `configKey` names the config section that sets its address, for the
 * error when it cannot bind. `counted`, when given, counts its requests in flight.
 */
const nodeServer = (
  host: string,
  port: number,
  configKey: string,
  tls: ListenerTls | undefined,
  counted: RequestsInFlight | undefined,
) =>
  Effect.gen(function* () {
    const { timeouts } = (yield* Config).config.server
    const options = {
      headersTimeout: durationMs(timeouts.headers),
      requestTimeout: durationMs(timeouts.request),
      keepAliveTimeout: durationMs(timeouts.keep_alive),
    }
    const server: Server =
      tls === undefined
        ? createServer(options)
        : createHttpsServer({ ...options, ...(yield* readTls(tls, `${configKey}.tls`)) })
    // The responses not yet finished, so the drain can tell those in flight to close their connection too.
    const unfinished = new Set<ServerResponse>()
    server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
      unfinished.add(response)
      const ended = counted?.arrived()
      response.once("close", () => {
        unfinished.delete(response)
        ended?.()
      })
    })
    const listening = NodeHttpServer.layer(() => server, { host, port }).pipe(
      Layer.mapError(listenFailed(host, port, configKey)),
    )
    return { server, unfinished, listening, graceMs: durationMs(timeouts.shutdown) }
  })

/**
 * A served listener that drains before its handler goes. Layers are released in reverse order of building,
 * and the drain is built last: it runs while the request handler is still attached (platform-node removes
 * the handler and interrupts every request fiber when the serving layer is released), so every request in
 * flight, and one that arrives meanwhile on a connection already open, is answered.
 */
const drainedListener = <E, R>(
  host: string,
  port: number,
  configKey: string,
  tls: ListenerTls | undefined,
  serving: Layer.Layer<never, E, R | HttpServer.HttpServer>,
  counted?: RequestsInFlight,
) =>
  Layer.unwrapEffect(
    Effect.map(
      nodeServer(host, port, configKey, tls, counted),
      ({ server, unfinished, listening, graceMs }) =>
        Layer.scopedDiscard(Effect.addFinalizer(() => drain(server, unfinished, graceMs))).pipe(
          Layer.provideMerge(serving),
          Layer.provideMerge(listening),
        ),
    ),
  )

/**
 * Stops accepting, answers what is in flight with `Connection: close` (so no client sends another request on
 * that connection), closes connections as they go idle, and cuts what is left after `graceMs`. Hand-written:
 * neither node's `server.close` (which waits for ever on kept-alive connections) nor platform-node's
 * finalizer (which closes without draining) bound the wait. The deadline is a timer of its own, not an
 * `Effect.timeout`, because a finalizer is uninterruptible and a timeout there could not cut the wait short.
 */
const drain = (server: Server, unfinished: ReadonlySet<ServerResponse>, graceMs: number) =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    for (const response of unfinished) if (!response.headersSent) response.shouldKeepAlive = false
    const closeAfterAnswer = (_request: IncomingMessage, response: ServerResponse) => {
      response.shouldKeepAlive = false
    }
    server.prependListener("request", closeAfterAnswer)
    const sweep = setInterval(() => server.closeIdleConnections(), 50)
    const finish = () => {
      clearInterval(sweep)
      clearTimeout(deadline)
      server.off("request", closeAfterAnswer)
      resume(Effect.void)
    }
    const deadline = setTimeout(() => {
      server.closeAllConnections()
      finish()
    }, graceMs)
    server.close(finish)
    server.closeIdleConnections()
  })

const pathOf = (request: HttpServerRequest.HttpServerRequest) =>
  URL.canParse(request.url, "http://localhost")
    ? new URL(request.url, "http://localhost").pathname
    : "(invalid)"

/** One line per request: the path only, since the query may hold a next_cursor and headers an API key. */
const accessLog = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = performance.now()
    const exit = yield* Effect.exit(app)
    // A failure here was already answered (500), or the client went away before the answer (499).
    const status = Exit.isSuccess(exit) ? exit.value.status : Exit.isInterrupted(exit) ? 499 : 500
    yield* Effect.logInfo("http request").pipe(
      Effect.annotateLogs({
        method: request.method,
        path: pathOf(request),
        status,
        duration_ms: Math.round(performance.now() - started),
      }),
    )
    return yield* exit
  }),
)

/** Paths the API serves (GET only): another method there is a 405, not a 404. */
const apiPaths = new Set<string>([activitiesPath, "/openapi.json", ...Object.values(schemaPaths)])

/**
 * Around every API request: the cap on concurrent requests, and the answers the declared endpoint does not
 * make itself, in the API's error shape (unknown route, wrong method, a defect).
 */
const apiGuard = HttpApiBuilder.middleware(
  Effect.gen(function* () {
    const { config } = yield* Config
    const slots = yield* Effect.makeSemaphore(config.server.max_concurrent_requests)
    const overloaded = json(
      errorResponse(
        503,
        "overloaded",
        `the server is answering ${config.server.max_concurrent_requests} requests already (server.max_concurrent_requests)`,
        { headers: retryAfter(1_000) },
      ),
    )
    return (app) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        return yield* slots
          .withPermitsIfAvailable(1)(app)
          .pipe(
            Effect.map(Option.getOrElse(() => overloaded)),
            Effect.catchIf(
              (error) => (error as { _tag?: string })?._tag === "RouteNotFound",
              () => {
                const path = pathOf(request)
                return Effect.succeed(
                  json(
                    apiPaths.has(path)
                      ? errorResponse(
                          405,
                          "method_not_allowed",
                          `${request.method} is not allowed; use GET`,
                          {
                            headers: { allow: "GET" },
                          },
                        )
                      : errorResponse(404, "not_found", `no route for ${path}`),
                  ),
                )
              },
            ),
            Effect.catchAllDefect((defect) =>
              Effect.logError("request failed", Cause.die(defect)).pipe(
                Effect.as(json(errorResponse(500, "internal", "internal error"))),
              ),
            ),
          )
      })
  }),
)

/**
 * The public API: List Activities, the published schemas of the Kafka values, and its OpenAPI document. Its
 * requests in flight are counted (the management listener's are not: a probe or a scrape is cheap to delay).
 */
const apiListener = (host: string, port: number, tls: ListenerTls | undefined, counted: RequestsInFlight) =>
  drainedListener(
    host,
    port,
    "server",
    tls,
    HttpApiBuilder.serve(accessLog).pipe(
      Layer.provide([HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }), apiGuard]),
      Layer.provide(ApiLive),
    ),
    counted,
  )

/**
 * The operators' listener: health, readiness, metrics and the API reference. Apart from the API because it
 * lists account ids and errors; loopback unless `server.management.host` says otherwise.
 */
const managementListener = (host: string, port: number, tls: ListenerTls | undefined, apiUrl: string) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      // Served from another port than the API's: the reference page's requests go to the API listener.
      const api = ConnectorApi.annotate(OpenApi.Servers, [{ url: apiUrl, description: "the API listener" }])
      const health = yield* HealthStatus
      const prometheus = yield* makePrometheus
      const noStore = { "cache-control": "no-store" }
      // Scalar's bundle is inlined by @effect/platform: the page needs nothing from outside the connector (and
      // its default fonts, which come from a CDN, are off). The module that holds it is loaded on the first
      // request, not at start: its source and the bundle it exports stay in the heap once loaded (about 13 MB
      // of a connector measured against 300 MB for 1,000 accounts), and most instances never serve the page.
      const docs = yield* Effect.cached(
        Effect.promise(() => import("@effect/platform/HttpApiScalar")).pipe(
          Effect.flatMap((HttpApiScalar) =>
            HttpLayerRouter.toHttpEffect(
              HttpApiScalar.layerHttpLayerRouter({
                api,
                path: "/docs",
                scalar: { withDefaultFonts: false },
              }),
            ),
          ),
          Effect.provideService(Scope.Scope, yield* Effect.scope),
          // A memo map of its own: the server's would hand back the router already built for this listener.
          Effect.provideServiceEffect(Layer.CurrentMemoMap, Layer.makeMemoMap),
        ),
      )
      const routes = Layer.mergeAll(
        HttpLayerRouter.add(
          "GET",
          "/healthz",
          Effect.map(health.report, (report) =>
            HttpServerResponse.unsafeJson(report, {
              status: report.status === "down" ? 503 : 200,
              headers: noStore,
            }),
          ),
        ),
        HttpLayerRouter.add(
          "GET",
          "/readyz",
          Effect.map(health.readiness, (readiness) =>
            HttpServerResponse.unsafeJson(readiness, {
              status: readiness.ready ? 200 : 503,
              headers: noStore,
            }),
          ),
        ),
        HttpLayerRouter.add(
          "GET",
          "/metrics",
          Effect.zipRight(health.observe, prometheus.render).pipe(
            Effect.map((text) =>
              HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" }),
            ),
          ),
        ),
        HttpLayerRouter.add(
          "GET",
          "/openapi.json",
          Effect.succeed(HttpServerResponse.unsafeJson(OpenApi.fromApi(api))),
        ),
        HttpLayerRouter.add("GET", "/docs", Effect.flatten(docs)),
      )
      return drainedListener(
        host,
        port,
        "server.management",
        tls,
        HttpLayerRouter.serve(routes, { disableLogger: true, disableListenLog: true }),
      )
    }),
  )

const urlHost = (host: string) => {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1"
  if (host === "::") return "[::1]"
  return host.includes(":") ? `[${host}]` : host
}

const addressOf = (
  context: Context.Context<HttpServer.HttpServer>,
  host: string,
  tls: ListenerTls | undefined,
): ServerAddress => {
  const address = Context.get(context, HttpServer.HttpServer).address
  const port = address._tag === "TcpAddress" ? address.port : 0
  return { host, port, url: `${tls === undefined ? "http" : "https"}://${urlHost(host)}:${port}` }
}

/**
 * Both listeners for the life of the scope. Each is built on its own so that each has a router of its own.
 * Every request runs as a fiber that is interrupted when its client goes away.
 */
export const makeApiServer: Effect.Effect<
  { readonly api: ServerAddress; readonly management: ServerAddress },
  unknown,
  ApiServerRequirements | Scope.Scope
> = Effect.gen(function* () {
  const { server } = (yield* Config).config
  const api = addressOf(
    yield* Layer.build(apiListener(server.host, server.port, server.tls, yield* RequestsInFlight)),
    server.host,
    server.tls,
  )
  yield* Effect.logInfo("HTTP API listening").pipe(
    Effect.annotateLogs({ host: api.host, port: api.port, tls: server.tls !== undefined }),
  )
  const { host, port, tls } = server.management
  const management = addressOf(yield* Layer.build(managementListener(host, port, tls, api.url)), host, tls)
  yield* Effect.logInfo("management listening").pipe(
    Effect.annotateLogs({ host: management.host, port: management.port, tls: tls !== undefined }),
  )
  return { api, management }
})

/** The running servers' addresses, for the life of the layer: alongside the pipeline, merge its layer in. */
export class ApiServer extends Effect.Service<ApiServer>()("ApiServer", {
  scoped: Effect.map(
    makeApiServer,
    ({
      api,
      management,
    }): {
      readonly url: string
      readonly managementUrl: string
      readonly api: ServerAddress
      readonly management: ServerAddress
    } => ({ url: api.url, managementUrl: management.url, api, management }),
  ),
}) {
  static readonly layer = ApiServer.Default
}
