import { JSONSchema, Schema } from "effect"
import { FilterNames } from "../domain/ActivityFilters.ts"
import { IntegrationNames, providers } from "../providers/registry.ts"
import { activitiesPath, ListActivitiesResponse } from "./ActivitiesApi.ts"
import { ErrorBody } from "./ErrorResponse.ts"
import { HealthReport } from "./HealthStatus.ts"
import { ListActivitiesQuery, queryParamNames } from "./QueryParams.ts"

// Generated from the schemas that validate requests (QueryParams), shape answers (Activity, ErrorBody) and
// from the adapters' declared capabilities, so the document cannot drift from what the server does.

type JsonObject = Record<string, unknown>

const componentPath = "#/components/schemas/"

const toJsonSchema = (
  schema: Schema.Schema.Any,
  definitions: Record<string, JSONSchema.JsonSchema7>,
): JsonObject => ({
  ...JSONSchema.fromAST(schema.ast, { definitions, definitionPath: componentPath, target: "openApi3.1" }),
})

const integrationsWith = (predicate: (name: (typeof IntegrationNames)[number]) => boolean) =>
  IntegrationNames.filter(predicate).join(", ")

/** The spec's "Supported in" / "Required in" / enum-support notes, read from the adapters' capabilities. */
const supportNote = (param: string): string => {
  const filter = FilterNames.find((name) => name === param)
  if (filter === undefined) return "Supported in: all integrations."
  const notes = [
    `Supported in: ${integrationsWith((i) => providers[i].capabilities.filters.includes(filter))}.`,
  ]
  const required = integrationsWith((i) => providers[i].capabilities.requiredFilters.includes(filter))
  if (required !== "") notes.push(`Required in: ${required}.`)
  if (filter === "action") {
    const restricted = IntegrationNames.flatMap((i) => {
      const actions = providers[i].capabilities.actions
      return actions === undefined || !providers[i].capabilities.filters.includes("action")
        ? []
        : [`${i}: ${actions.join(", ")}`]
    })
    if (restricted.length > 0)
      notes.push(`Values accepted where the integration restricts them — ${restricted.join("; ")}.`)
  }
  notes.push("Other integrations answer 400 invalid_parameter.")
  return notes.join(" ")
}

const queryParameters = (definitions: Record<string, JSONSchema.JsonSchema7>) => {
  // Schemas of the decoded values (limit is an integer); required-ness from the wire form (limit has a default).
  const typed = toJsonSchema(Schema.typeSchema(ListActivitiesQuery), definitions)
  const wire = toJsonSchema(Schema.encodedSchema(ListActivitiesQuery), definitions)
  const properties = typed.properties as Record<string, JsonObject>
  const required = (wire.required ?? []) as ReadonlyArray<string>
  return queryParamNames.map((name) => {
    const { description, title: _title, ...schema } = properties[name] ?? {}
    return {
      name,
      in: "query",
      required: required.includes(name),
      description: `${String(description ?? "")} ${supportNote(name)}`.trim(),
      schema,
    }
  })
}

const jsonContent = (ref: string) => ({ "application/json": { schema: { $ref: `${componentPath}${ref}` } } })
const errorAnswer = (description: string, headers?: JsonObject) => ({
  description,
  content: jsonContent("Error"),
  ...(headers === undefined ? {} : { headers }),
})

export const makeOpenApiDocument = (): JsonObject => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const parameters = queryParameters(definitions)
  toJsonSchema(ListActivitiesResponse, definitions)
  toJsonSchema(ErrorBody, definitions)
  toJsonSchema(HealthReport, definitions)
  return {
    openapi: "3.1.0",
    info: {
      title: "SIEM activity connector — unified user-directory activities",
      version: "1.0.0",
      description: `User-directory activity of ${IntegrationNames.length} SaaS integrations (${IntegrationNames.join(", ")}), normalised to one Activity shape.`,
    },
    paths: {
      [activitiesPath]: {
        get: {
          operationId: "listActivities",
          summary: "List Activities",
          description:
            "One page of the integrated account's activity, oldest first. Follow next_cursor (with the same filters) until it is null to replay the history.",
          security: [{ bearerAuth: [] }],
          parameters,
          responses: {
            "200": { description: "A page of activities.", content: jsonContent("ListActivitiesResponse") },
            "400": errorAnswer(
              "invalid_parameter: a parameter is malformed, unknown, repeated, or not supported by the integration; `param` names it.",
            ),
            "401": errorAnswer("unauthorized: missing or unknown API key.", {
              "WWW-Authenticate": { schema: { type: "string" }, description: "Bearer challenge" },
            }),
            "404": errorAnswer("account_not_found: no such (enabled) integrated account."),
            "410": errorAnswer("history_expired: the cursor's position is older than the provider keeps."),
            "429": errorAnswer("remote_rate_limited: the provider's rate limit is exhausted.", {
              "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait before retrying" },
            }),
            "500": errorAnswer("internal"),
            "501": errorAnswer("not_implemented: the integration's provider client is not available yet."),
            "502": errorAnswer(
              "The provider failed: remote_unauthorized, remote_unavailable, remote_invalid_response, remote_refused_host, remote_rejected.",
            ),
            "504": errorAnswer("remote_timeout: the provider did not answer in time."),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          summary: "Liveness and status",
          responses: {
            "200": { description: "Serving.", content: jsonContent("HealthReport") },
            "503": { description: "Down.", content: jsonContent("HealthReport") },
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1 document.", content: { "application/json": {} } } },
        },
      },
    },
    components: {
      schemas: definitions,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "One of server.api_keys." },
      },
    },
  }
}
