import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"
import { Activity } from "../domain/Activity.ts"
import { OcsfEvent } from "../domain/OcsfEvent.ts"
import { publishedSchemas } from "../domain/PublishedSchemas.ts"
import { IntegrationNames } from "../providers/registry.ts"
import {
  AccountNotFoundError,
  ForbiddenError,
  HistoryExpiredError,
  InternalError,
  InvalidParameterError,
  NotImplementedError,
  OverloadedError,
  RateLimitedError,
  RemoteError,
  RemoteTimeoutError,
  UnauthorizedError,
} from "./ErrorResponse.ts"
import { ListActivitiesQuery } from "./QueryParams.ts"

// The contract of the HTTP API, declared once: the server (Http.ts), the OpenAPI document, the /docs page
// and the typed client the tests use are all derived from it.

export const activitiesPath = "/unified/user-directory/activities"

export const ListActivitiesResponse = Schema.Struct({
  result: Schema.Union(Schema.Array(Activity), Schema.Array(OcsfEvent)).annotations({
    description: "List of Activities; with format=ocsf, the same Activities as OCSF 1.8.0 events.",
  }),
  next_cursor: Schema.NullOr(Schema.String).annotations({
    description:
      "The cursor to use for the next page of results: pass it as the next_cursor query parameter, with the same integrated_account_id and filters. null once the provider has nothing more for now.",
  }),
}).annotations({ identifier: "ListActivitiesResponse" })
export type ListActivitiesResponse = typeof ListActivitiesResponse.Type

/** `Authorization: Bearer <one of server.api_keys>`, which may be scoped to some accounts or integrations. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("Authentication", {
  failure: Schema.Union(UnauthorizedError, ForbiddenError),
  security: {
    bearerAuth: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "One of server.api_keys."),
    ),
  },
}) {}

/**
 * The query checks the builder's own decoding does not make: unknown and repeated parameters, and the first
 * problem as one 400 that names its parameter (`{error: {code, message, param}}`, not a list of issues).
 */
export class QueryValidation extends HttpApiMiddleware.Tag<QueryValidation>()("QueryValidation", {
  failure: InvalidParameterError,
}) {}

const headerDoc = (name: string, description: string, type: "string" | "integer") => ({
  [name]: { description, schema: { type } },
})

export const listActivities = HttpApiEndpoint.get("listActivities", activitiesPath)
  .setUrlParams(ListActivitiesQuery)
  .addSuccess(ListActivitiesResponse)
  .addError(AccountNotFoundError)
  .addError(HistoryExpiredError)
  .addError(RateLimitedError)
  .addError(InternalError)
  .addError(NotImplementedError)
  .addError(RemoteError)
  .addError(OverloadedError)
  .addError(RemoteTimeoutError)
  // Declared in the order they run: the key is checked before the query.
  .middleware(QueryValidation)
  .middleware(Authentication)
  .annotate(OpenApi.Summary, "List Activities")
  .annotate(
    OpenApi.Description,
    "One page of the integrated account's activity, oldest first. Follow next_cursor (with the same filters) until it is null to replay the history.",
  )
  // Response headers are not part of an error schema; the document says which answers carry them.
  .annotate(OpenApi.Transform, (operation) => {
    const responses = operation.responses as Record<string, Record<string, unknown>>
    const retry = headerDoc("Retry-After", "Seconds to wait before retrying", "integer")
    for (const status of ["429", "503"]) if (responses[status]) responses[status].headers = retry
    if (responses["401"])
      responses["401"].headers = headerDoc("WWW-Authenticate", "Bearer challenge", "string")
    // QueryValidation runs before the builder decodes the query, so its 400 is the only one ever answered:
    // the builder's own HttpApiDecodeError, declared by every HttpApi, is not.
    if (responses["400"]) {
      responses["400"].description =
        "invalid_parameter: a parameter is malformed, unknown, repeated, or not supported by the integration; `param` names it."
      responses["400"].content = {
        "application/json": { schema: { $ref: "#/components/schemas/InvalidParameterError" } },
      }
    }
    return operation
  })

export class ActivitiesGroup extends HttpApiGroup.make("activities").add(listActivities) {}

/** Where each published JSON Schema of a Kafka value is served, by topic. */
export const schemaPaths = {
  activities: `/schemas/${publishedSchemas.activities.file}`,
  login_failed: `/schemas/${publishedSchemas.login_failed.file}`,
  dead_letter: `/schemas/${publishedSchemas.dead_letter.file}`,
  ocsf: `/schemas/${publishedSchemas.ocsf.file}`,
} as const

const JsonSchemaDocument = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonSchemaDocument",
  description: "A JSON Schema (draft 2020-12) document.",
})

const schemaEndpoint = <const Name extends string>(name: Name, topic: keyof typeof schemaPaths) =>
  HttpApiEndpoint.get(name, schemaPaths[topic])
    .addSuccess(JsonSchemaDocument)
    .annotate(OpenApi.Summary, `JSON Schema of a ${topic} record`)
    .annotate(
      OpenApi.Description,
      `The JSON Schema of the value of every record on the ${topic} topic, the one its ce_dataschema header names (${publishedSchemas[topic].id}). The same document as schemas/${publishedSchemas[topic].file} in the repository. No API key needed.`,
    )
    // No parameters to decode: the 400 every HttpApi endpoint declares (HttpApiDecodeError) is never answered.
    .annotate(OpenApi.Transform, (operation) => {
      delete (operation.responses as Record<string, unknown>)["400"]
      return operation
    })

/** The published schemas of the Kafka values: public, like the record shapes they describe. */
export class SchemasGroup extends HttpApiGroup.make("schemas")
  .add(schemaEndpoint("activitySchema", "activities"))
  .add(schemaEndpoint("loginFailedSchema", "login_failed"))
  .add(schemaEndpoint("deadLetterSchema", "dead_letter"))
  .add(schemaEndpoint("ocsfSchema", "ocsf")) {}

export class ConnectorApi extends HttpApi.make("connector")
  .add(ActivitiesGroup)
  .add(SchemasGroup)
  .annotate(OpenApi.Title, "SIEM activity connector — unified user-directory activities")
  .annotate(OpenApi.Version, "1.0.0")
  .annotate(OpenApi.Transform, (document) => {
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas
    for (const unused of ["HttpApiDecodeError", "Issue", "PropertyKey"]) delete schemas[unused]
    return document
  })
  .annotate(
    OpenApi.Description,
    `User-directory activity of ${IntegrationNames.length} SaaS integrations (${IntegrationNames.join(", ")}), normalised to one Activity shape.`,
  ) {}
