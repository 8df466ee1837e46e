import { Either, ParseResult, Schema } from "effect"
import { InvalidParameter } from "../activities/ListActivitiesError.ts"
import { ActionValues, toUtcInstant, UnifiedAction } from "../domain/Activity.ts"
import { type ActivityFilters, FilterNames } from "../domain/ActivityFilters.ts"
import { IntegrationNames, providers } from "../providers/registry.ts"

// The query of `GET /unified/user-directory/activities`: this schema validates requests and is the source
// the OpenAPI parameters are generated from (the endpoint declares it in Api.ts).

export const DefaultLimit = 50
export const MaxLimit = 200

// A space before the offset is a "+" that the client did not percent-encode (form decoding turns "+" into " ").
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+\- ]\d{2}:\d{2})$/

const canonical = (text: string): string => text.toUpperCase().replace(" ", "+")

/** Pattern and calendar: `2024-02-30T00:00:00Z` matches the pattern but is not an instant. */
const isRfc3339Instant = (text: string): boolean => {
  const match = rfc3339.exec(text)
  if (match === null) return false
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    toUtcInstant(canonical(text)) !== undefined
  )
}

const DateTime = Schema.String.pipe(
  Schema.filter(isRfc3339Instant, {
    message: () => "must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T00:00:00Z",
    jsonSchema: { format: "date-time" },
  }),
)

/** Any RFC 3339 instant in, the same instant out as UTC with milliseconds: the cursor binds to one spelling. */
const CreatedAt = Schema.transform(DateTime, Schema.typeSchema(DateTime), {
  strict: true,
  decode: (text) => toUtcInstant(canonical(text)) ?? text,
  encode: (instant) => instant,
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

/** A parameter's description with its per-integration note, as the document lists it. */
const describe = (param: string, description: string) => `${description} ${supportNote(param)}`

const Text = Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }))

/**
 * A filter value that goes to the provider. Provider identifiers are short (an Okta user id is 20 characters,
 * an email at most 254); a longer value is refused here rather than sent, since a request line the provider
 * cannot read comes back as a transport failure (a 502 after retries), not as the caller's mistake.
 */
const MaxFilterChars = 512
const FilterText = Text.pipe(
  Schema.maxLength(MaxFilterChars, { message: () => `must be at most ${MaxFilterChars} characters` }),
)

const Limit = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, MaxLimit),
  Schema.annotations({
    message: () => ({ message: `must be an integer from 1 to ${MaxLimit}`, override: true }),
    // A query parameter is text on the wire, but the document describes the value it carries.
    jsonSchema: {
      type: "integer",
      minimum: 1,
      maximum: MaxLimit,
      default: DefaultLimit,
      description: describe("limit", `Maximum number of activities in the page (default ${DefaultLimit}).`),
    },
  }),
)

const param = <S extends Schema.Schema.AnyNoContext>(
  name: string,
  schema: S,
  description: string,
  extra: Schema.Annotations.Schema<Schema.Schema.Type<S>> = {},
) =>
  Schema.optional(Schema.asSchema(schema).annotations({ description: describe(name, description), ...extra }))

export const ListActivitiesQuery = Schema.Struct({
  integrated_account_id: Schema.propertySignature(
    Schema.UUID.annotations({
      message: () => "must be a uuid",
      description: describe(
        "integrated_account_id",
        "The ID of the integrated account to use for the request.",
      ),
      examples: ["62f44730-dd91-461e-bd6a-aedd9e0ad79d"],
    }),
  ).annotations({ missingMessage: () => "is required" }),
  organization_id: param(
    "organization_id",
    FilterText,
    "Asana: unique identifier of the organization to fetch the audit logs for. GitHub: the unique identifier for the organization. Must be the organization the integrated account is configured for.",
  ),
  created_at: param(
    "created_at",
    CreatedAt,
    "Date and time when the activity was created: only activities created at or after this instant are returned. An RFC 3339 date-time with a time zone (percent-encode a `+` offset as %2B); normalised to UTC.",
    { examples: ["2024-05-01T00:00:00Z"] },
  ),
  actor_id: param(
    "actor_id",
    FilterText,
    "The unique identifier for the actor performing the activity. Dropbox: use the profile.account_id field value.",
  ),
  action: param(
    "action",
    UnifiedAction.annotations({
      message: () => ({ message: `must be one of: ${ActionValues.join(", ")}`, override: true }),
    }),
    "The action to filter by.",
    { examples: ["login_failed"] },
  ),
  entity: param("entity", FilterText, "Unique identifier for the entity on which the action was performed."),
  entity_type: param("entity_type", FilterText, "Type of the entity on which the action was performed."),
  ip_address: param("ip_address", FilterText, "IP address the activity came from."),
  next_cursor: param(
    "next_cursor",
    Text,
    "The next_cursor of the previous response, to get the next page. Valid only with the same integrated account and filters it was issued for.",
  ),
  limit: Schema.optionalWith(Limit, { default: () => DefaultLimit }),
  format: Schema.optional(
    Schema.Literal("unified", "ocsf").annotations({
      message: () => ({ message: "must be unified or ocsf", override: true }),
      description:
        "The shape of result: unified Activities (default), or the same Activities as OCSF 1.8.0 events (docs/records.md, OCSF). A next_cursor pages either way: it is bound to the account and the filters, not to the format.",
      default: "unified",
    }),
  ),
})
export type ListActivitiesQuery = typeof ListActivitiesQuery.Type
export type QueryParamName = keyof typeof ListActivitiesQuery.fields

export const queryParamNames = Object.keys(ListActivitiesQuery.fields) as ReadonlyArray<QueryParamName>

const isQueryParamName = (name: string): name is QueryParamName =>
  (queryParamNames as ReadonlyArray<string>).includes(name)

/** A name as an error shows it: quoted when it is empty or holds spaces, controls or non-ASCII, so it is seen. */
const shown = (name: string): string => (/^[\x21-\x7e]+$/.test(name) ? name : JSON.stringify(name))

const decodeQuery = Schema.decodeUnknownEither(ListActivitiesQuery, {
  errors: "first",
  onExcessProperty: "error",
})

/** The query string → a validated query; the first problem becomes a 400 naming its parameter. */
export const parseListActivitiesQuery = (
  params: URLSearchParams,
): Either.Either<ListActivitiesQuery, InvalidParameter> => {
  const names = [...new Set(params.keys())]
  const unknown = names.filter((name) => !isQueryParamName(name))
  if (unknown[0] !== undefined) {
    return Either.left(
      new InvalidParameter({
        param: unknown[0],
        message: `unknown query parameter${unknown.length > 1 ? "s" : ""}: ${unknown.map(shown).join(", ")} (accepted: ${queryParamNames.join(", ")})`,
      }),
    )
  }
  // A repeated filter has no single meaning (AND? OR? last wins?); refuse rather than guess.
  const repeated = names.find((name) => params.getAll(name).length > 1)
  if (repeated !== undefined) {
    return Either.left(
      new InvalidParameter({ param: repeated, message: `${repeated} is given more than once` }),
    )
  }
  return decodeQuery(Object.fromEntries(params)).pipe(
    Either.mapLeft((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const param = typeof issue?.path[0] === "string" ? issue.path[0] : "query"
      return new InvalidParameter({ param, message: `${param} ${issue?.message ?? "is invalid"}` })
    }),
  )
}

/** The filter parameters of a query, as the core operation takes them. */
export const filtersOf = (query: ListActivitiesQuery): ActivityFilters => {
  const filters: Record<string, string> = {}
  for (const name of FilterNames) {
    const value = query[name]
    if (value !== undefined) filters[name] = value
  }
  return filters as ActivityFilters
}
