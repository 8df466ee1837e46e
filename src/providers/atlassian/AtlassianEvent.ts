import { Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

// Atlassian's organization audit log (Organizations REST API, Events group; models as generated into
// jira.js `src/admin/models`): `GET /admin/v1/orgs/{orgId}/events-stream` pages of events
// `{id, type: "events", attributes: {time, processedAt, action, actor, context, container, location}, links,
// message}`. What the mapping needs is required (`id`, `attributes.time`, `attributes.action`); the rest is
// optional because the reference marks it so and recorded events leave parts out. Undeclared fields pass
// decoding; `remote_data` carries the raw event whole.

/** A date-time with a zone; Atlassian writes it with and without milliseconds (`…:13Z`, `…:03.343Z`). */
export const AtlassianTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    utcInstant(text) !== undefined
      ? undefined
      : `an ISO 8601 date-time with a zone, e.g. 2022-05-12T19:13:13Z; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "AtlassianTime" }),
)

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))
const Attributes = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Links = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** What an event was about (`context`) or where it happened (`container`). */
export const AtlassianEventObject = Schema.Struct({
  id: optional(Schema.String),
  /** `users`, `groups`, `products`, `sites`, `orgs`… */
  type: optional(Schema.String),
  attributes: optional(Attributes),
  links: optional(Links),
})

export const AtlassianAuth = Schema.Struct({
  /** `container-token`, `api-token`, `connect-token`, `auth-token-for-2LO`, `auth-token-for-3LO`. */
  authType: optional(Schema.String),
  tokenId: optional(Schema.String),
  tokenLabel: optional(Schema.String),
})

export const AtlassianActor = Schema.Struct({
  /** The Atlassian account id. */
  id: optional(Schema.String),
  name: optional(Schema.String),
  email: optional(Schema.String),
  auth: optional(AtlassianAuth),
  onBehalfOf: optional(
    Schema.Struct({
      id: optional(Schema.String),
      name: optional(Schema.String),
      email: optional(Schema.String),
    }),
  ),
  app: optional(
    Schema.Struct({
      id: optional(Schema.String),
      type: optional(Schema.String),
      attributes: optional(Attributes),
    }),
  ),
  links: optional(Links),
})

export const AtlassianLocation = Schema.Struct({
  ip: optional(Schema.String),
  geo: optional(Schema.String),
  countryName: optional(Schema.String),
  regionName: optional(Schema.String),
  city: optional(Schema.String),
})

export const AtlassianEventAttributes = Schema.Struct({
  /** When the event occurred; `from`/`to` filter on it. */
  time: AtlassianTime,
  /** When Atlassian processed it; the stream is ordered by it. Only on `/events-stream`. */
  processedAt: optional(AtlassianTime),
  /** The action key, e.g. `user_login`. */
  action: Schema.NonEmptyString,
  actor: optional(AtlassianActor),
  context: optional(Schema.Array(AtlassianEventObject)),
  container: optional(Schema.Array(AtlassianEventObject)),
  location: optional(AtlassianLocation),
})

/** `{content: "Logged in as …", format: "simple"}`. */
export const AtlassianMessage = Schema.Struct({
  content: optional(Schema.String),
  format: optional(Schema.String),
})

export const AtlassianEvent = Schema.Struct({
  id: Schema.NonEmptyString,
  type: optional(Schema.String),
  attributes: AtlassianEventAttributes,
  links: optional(Links),
  message: optional(AtlassianMessage),
}).annotations({ identifier: "AtlassianEvent" })
export type AtlassianEvent = typeof AtlassianEvent.Type

/**
 * The part of an event the mapping reads, each field as AtlassianEvent declares it: what the stream decodes.
 * Context and container objects, links and the actor's other parts (most of an event's bytes) are not decoded,
 * as nothing reads them; remote_data carries the event as Atlassian sent it. The identifier stays the event's,
 * so a dead letter's reason reads as before.
 */
export const AtlassianEventRead = AtlassianEvent.pipe(
  Schema.pick("id"),
  Schema.extend(
    Schema.Struct({
      attributes: AtlassianEventAttributes.pipe(
        Schema.pick("time", "action"),
        Schema.extend(
          Schema.Struct({
            actor: optional(
              AtlassianActor.pipe(
                Schema.pick("id"),
                Schema.extend(Schema.Struct({ auth: optional(AtlassianAuth.pipe(Schema.pick("authType"))) })),
              ),
            ),
            location: optional(AtlassianLocation.pipe(Schema.pick("ip"))),
          }),
        ),
      ),
      message: optional(AtlassianMessage.pipe(Schema.pick("content"))),
    }),
  ),
).annotations({ identifier: "AtlassianEvent" })
export type AtlassianEventRead = typeof AtlassianEventRead.Type

/**
 * One page of `/events-stream` (`/events` adds `meta.prev`, `total`, indexes…). `meta.next` is the cursor to send
 * back; the stream returns one even on its last page, to poll with. `links.next` is the same as a full URL.
 */
export const AtlassianEventsPage = Schema.Struct({
  data: Schema.optional(Schema.Array(Schema.Unknown)),
  meta: optional(
    Schema.Struct({ next: optional(Schema.String), page_size: optional(Schema.Number) }, Attributes),
  ),
  links: optional(
    Schema.Struct({
      self: optional(Schema.String),
      prev: optional(Schema.String),
      next: optional(Schema.String),
    }),
  ),
}).annotations({ identifier: "AtlassianEventsPage" })
export type AtlassianEventsPage = typeof AtlassianEventsPage.Type

/** The admin API's error body. Codes: `ADMIN-400-1` invalid page cursor, `ADMIN-400-3` invalid time, `ADMIN-429-1`… */
export const AtlassianErrors = Schema.Struct({
  errors: Schema.Array(
    Schema.Struct({
      id: Schema.optional(Schema.String),
      status: Schema.optional(Schema.String),
      code: Schema.optional(Schema.String),
      title: Schema.optional(Schema.String),
      detail: Schema.optional(Schema.String),
    }),
  ),
}).annotations({ identifier: "AtlassianErrors" })
export type AtlassianErrors = typeof AtlassianErrors.Type
