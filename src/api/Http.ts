import { createHash, timingSafeEqual } from "node:crypto"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Either, Layer, Option } from "effect"
import { listActivities as listActivitiesPage } from "../activities/ListActivities.ts"
import { Config } from "../config/Config.ts"
import { apiKeyScope } from "../config/ConnectorConfig.ts"
import { publishedSchemas } from "../domain/PublishedSchemas.ts"
import { ReplayPriority } from "../http/ProviderHttp.ts"
import { Authentication, ConnectorApi, type listActivities, QueryValidation } from "./Api.ts"
import {
  type ErrorResponse,
  errorResponse,
  type ForbiddenError,
  type InvalidParameterError,
  listActivitiesErrorResponse,
  retryAfter,
  type UnauthorizedError,
} from "./ErrorResponse.ts"
import { filtersOf, parseListActivitiesQuery } from "./QueryParams.ts"

// The handlers of the contract in Api.ts: nothing here decides a status code or a schema.

type ListActivitiesFailure = HttpApiEndpoint.HttpApiEndpoint.Error<typeof listActivities>

/** Headers travel beside the body: the error schemas are bodies only. */
const withHeaders = (headers: Readonly<Record<string, string>> | undefined) =>
  headers === undefined
    ? Effect.void
    : HttpApp.appendPreResponseHandler((_, response) =>
        Effect.succeed(HttpServerResponse.setHeaders(response, headers)),
      )

/**
 * An error answer as the endpoint declares it. The body's code is one of its status's codes by construction
 * (ErrorResponse.ts); the cast only tells the compiler which per-status schema that is.
 */
const failWith = <E = ListActivitiesFailure>(response: ErrorResponse) =>
  Effect.zipRight(withHeaders(response.headers), Effect.fail(response.body as E))

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

const realm = 'Bearer realm="user-directory-activities"'

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Keys are compared as SHA-256 digests
 * (equal length, so `timingSafeEqual` applies) and every key is compared on every request, so the time
 * taken says nothing about which key, or how much of one, matched. The header is read whole rather than as
 * the token the builder cuts out, which drops the first seven characters whatever the scheme.
 *
 * A scoped key reads only its accounts and its integrations' accounts: any other `integrated_account_id`,
 * configured or not, is a 403 that names neither the key nor its scope, so it cannot probe for accounts. A
 * request without the parameter goes on to the query's own 400.
 */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const { config } = yield* Config
    const integrationOf = new Map(config.accounts.map((a) => [a.id.toLowerCase(), a.integration]))
    const accepted = config.server.api_keys.map((entry) => {
      const { key, accounts, integrations } = apiKeyScope(entry)
      const reads =
        accounts === undefined && integrations === undefined
          ? undefined
          : (accountId: string) =>
              (accounts ?? []).some((id) => id.toLowerCase() === accountId) ||
              (integrations ?? []).includes(integrationOf.get(accountId) ?? "")
      return { digest: digest(key), reads }
    })
    const unauthorized = (missing: boolean) =>
      failWith<typeof UnauthorizedError.Type>(
        errorResponse(
          401,
          "unauthorized",
          missing ? "missing Authorization: Bearer <api key>" : "the API key is not valid",
          { headers: { "www-authenticate": missing ? realm : `${realm}, error="invalid_token"` } },
        ),
      )
    const forbidden = failWith<typeof ForbiddenError.Type>(
      errorResponse(403, "forbidden", "the API key is not allowed to read this account's activity"),
    )
    return {
      bearerAuth: () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? "")?.[1]
          if (token === undefined) return yield* unauthorized(true)
          const presented = digest(token)
          let matched: (typeof accepted)[number] | undefined
          for (const key of accepted) if (timingSafeEqual(key.digest, presented)) matched ??= key
          if (matched === undefined) return yield* unauthorized(false)
          if (matched.reads === undefined) return
          const accountId = new URL(request.url, "http://localhost").searchParams.get("integrated_account_id")
          if (accountId !== null && !matched.reads(accountId.toLowerCase())) return yield* forbidden
        }),
    }
  }),
)

/** Unknown and repeated parameters, then the schema, the first problem named: see QueryValidation. */
export const QueryValidationLive = Layer.succeed(
  QueryValidation,
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const query = new URL(request.url, "http://localhost").searchParams
    const parsed = parseListActivitiesQuery(query)
    if (Either.isLeft(parsed)) {
      const { param, message } = parsed.left
      return yield* failWith<typeof InvalidParameterError.Type>(
        errorResponse(400, "invalid_parameter", message, { param }),
      )
    }
  }),
)

/**
 * Calls to one account's provider on behalf of the endpoint: a few at once per account, and none that would
 * eat into the part of the provider's rate-limit window kept for the account's live stream.
 */
const makeReplayLimits = Effect.gen(function* () {
  const { config } = yield* Config
  const { max_concurrent_per_account: perAccount, rate_limit_reserve: reserve } = config.server.replay
  const permits = new Map<string, Effect.Semaphore>()
  const semaphoreOf = (accountId: string) =>
    Effect.gen(function* () {
      const existing = permits.get(accountId)
      if (existing) return existing
      const made = yield* Effect.makeSemaphore(perAccount)
      permits.set(accountId, made)
      return made
    })
  return <A, E, R>(accountId: string, effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const semaphore = yield* semaphoreOf(accountId.toLowerCase())
      const outcome = yield* semaphore.withPermitsIfAvailable(1)(
        Effect.locally(effect, ReplayPriority, { reserve }),
      )
      if (Option.isNone(outcome)) {
        return yield* failWith(
          errorResponse(
            429,
            "rate_limited",
            `account ${accountId} already has ${perAccount} requests in progress (server.replay.max_concurrent_per_account)`,
            { headers: retryAfter(1_000) },
          ),
        )
      }
      return outcome.value
    })
})

export const ActivitiesLive = HttpApiBuilder.group(ConnectorApi, "activities", (handlers) =>
  Effect.gen(function* () {
    const replay = yield* makeReplayLimits
    return handlers.handle("listActivities", ({ urlParams: query }) =>
      replay(
        query.integrated_account_id,
        listActivitiesPage({
          accountId: query.integrated_account_id,
          filters: filtersOf(query),
          cursor: query.next_cursor,
          limit: query.limit,
          format: query.format,
        }),
      ).pipe(
        // Written as JSON once, not encoded again through ListActivitiesResponse: the page is Activities (or
        // OCSF events) our own mapping built, their fields in the schema's order, so the encoding would copy
        // every record to write the same bytes (test/api/responseIdentity.test.ts holds it to that). A
        // response, not a value, is what the builder passes through as it is; the declared schema, and so
        // the OpenAPI document, stay as they are.
        Effect.map((page) =>
          HttpServerResponse.unsafeJson({ result: page.ocsf ?? page.result, next_cursor: page.next_cursor }),
        ),
        // Activity data is per-account and sensitive: no shared cache may keep it.
        Effect.zipLeft(withHeaders({ "cache-control": "no-store" })),
        Effect.catchIf(
          (error): error is Exclude<typeof error, ListActivitiesFailure> => "_tag" in error,
          (error) =>
            // Client mistakes and not-yet-built providers are answered, not worth a warning; the access
            // log has them.
            (error._tag === "InvalidParameter" ||
            error._tag === "AccountNotFound" ||
            error._tag === "ProviderNotImplemented"
              ? Effect.void
              : Effect.logWarning("provider request failed").pipe(
                  Effect.annotateLogs({
                    error: error._tag,
                    integration: error.integration,
                    reason: error.message,
                  }),
                )
            ).pipe(Effect.zipRight(failWith(listActivitiesErrorResponse(error)))),
        ),
      ),
    )
  }),
)

export const SchemasLive = HttpApiBuilder.group(ConnectorApi, "schemas", (handlers) =>
  handlers
    .handle("activitySchema", () => Effect.succeed(publishedSchemas.activities.document))
    .handle("loginFailedSchema", () => Effect.succeed(publishedSchemas.login_failed.document))
    .handle("deadLetterSchema", () => Effect.succeed(publishedSchemas.dead_letter.document))
    .handle("ocsfSchema", () => Effect.succeed(publishedSchemas.ocsf.document)),
)

export const ApiLive = HttpApiBuilder.api(ConnectorApi).pipe(
  Layer.provide([ActivitiesLive, SchemasLive]),
  Layer.provide([AuthenticationLive, QueryValidationLive]),
)
