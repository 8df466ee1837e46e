import { Effect } from "effect"
import { Config } from "../config/loadConfig.ts"
import { activitiesPath } from "./ActivitiesApi.ts"
import { activitiesRoute } from "./ActivitiesRoute.ts"
import type { ApiRequest } from "./ApiRequest.ts"
import { type ApiResponse, json, text } from "./ApiResponse.ts"
import { makeBearerAuth, unauthorizedResponse } from "./auth.ts"
import { errorResponse } from "./ErrorResponse.ts"
import { HealthStatus } from "./HealthStatus.ts"
import { makeOpenApiDocument } from "./openapi.ts"

interface Route<R> {
  readonly authenticated: boolean
  readonly handle: (request: ApiRequest) => Effect.Effect<ApiResponse, never, R>
}

/** Path → route, then method (GET only), then API key where the route needs one. */
export const makeRouter = Effect.gen(function* () {
  const { config } = yield* Config
  const authorize = makeBearerAuth(config.server.api_keys)
  const openApiDocument = makeOpenApiDocument()

  const routes = new Map<string, Route<Effect.Effect.Context<ReturnType<typeof activitiesRoute>>>>([
    [activitiesPath, { authenticated: true, handle: activitiesRoute }],
    ["/openapi.json", { authenticated: false, handle: () => Effect.succeed(json(200, openApiDocument)) }],
    [
      "/healthz",
      {
        authenticated: false,
        handle: () =>
          Effect.flatMap(HealthStatus, (health) => health.report).pipe(
            Effect.map((report) =>
              json(report.status === "down" ? 503 : 200, report, { "cache-control": "no-store" }),
            ),
          ),
      },
    ],
    [
      "/metrics",
      {
        authenticated: false,
        handle: () =>
          Effect.flatMap(HealthStatus, (health) => health.metrics).pipe(
            Effect.map((body) => text(200, "text/plain; version=0.0.4; charset=utf-8", body)),
          ),
      },
    ],
  ])

  return (request: ApiRequest) => {
    const route = routes.get(request.path)
    if (route === undefined) {
      return Effect.succeed(errorResponse(404, "not_found", `no route for ${request.path}`))
    }
    if (request.method !== "GET") {
      return Effect.succeed(
        errorResponse(405, "method_not_allowed", `${request.method} is not allowed; use GET`, {
          headers: { allow: "GET" },
        }),
      )
    }
    if (route.authenticated) {
      const authorization = authorize(request.headers.authorization)
      if (authorization !== "authorized") return Effect.succeed(unauthorizedResponse(authorization))
    }
    return route.handle(request)
  }
})
