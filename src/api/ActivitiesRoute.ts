import { Effect } from "effect"
import { listActivities } from "../activities/ListActivities.ts"
import type { ListActivitiesResponse } from "./ActivitiesApi.ts"
import type { ApiRequest } from "./ApiRequest.ts"
import { json } from "./ApiResponse.ts"
import { listActivitiesErrorResponse } from "./ErrorResponse.ts"
import { filtersOf, parseListActivitiesQuery } from "./QueryParams.ts"

/** `GET /unified/user-directory/activities` (authenticated by the router): query → one page → JSON. */
export const activitiesRoute = (request: ApiRequest) =>
  Effect.gen(function* () {
    const query = yield* parseListActivitiesQuery(request.query)
    const page = yield* listActivities({
      accountId: query.integrated_account_id,
      filters: filtersOf(query),
      cursor: query.next_cursor,
      limit: query.limit,
    })
    const body: ListActivitiesResponse = { result: page.result, next_cursor: page.next_cursor }
    // Activity data is per-account and sensitive: no shared cache may keep it.
    return json(200, body, { "cache-control": "no-store" })
  }).pipe(
    // Client mistakes and not-yet-built providers are answered, not worth a warning; the access log has them.
    Effect.tapError((error) =>
      error._tag === "InvalidParameter" ||
      error._tag === "AccountNotFound" ||
      error._tag === "ProviderNotImplemented"
        ? Effect.void
        : Effect.logWarning("provider request failed").pipe(
            Effect.annotateLogs({ error: error._tag, integration: error.integration, reason: error.message }),
          ),
    ),
    Effect.catchAll((error) => Effect.succeed(listActivitiesErrorResponse(error))),
  )
