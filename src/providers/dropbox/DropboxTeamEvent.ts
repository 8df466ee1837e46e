import { Either, Option, ParseResult, Schema } from "effect"
import { canonicalDigest, canonicalJson } from "../canonicalJson.ts"
import { fastParser } from "../fastDecode.ts"

// Dropbox's team event (`team_log.stone` TeamEvent) and the `get_events` result. Dropbox serializes its unions
// as `{".tag": name, …}`. Required is only what the mapping needs: `timestamp` and `event_type[".tag"]`. The
// rest is optional and lenient ("may be missing due to historical data gap"), and unknown fields are kept whole
// in `remote_data` and in the id.

export const GET_EVENTS_PATH = "/2/team_log/get_events"
export const CONTINUE_PATH = "/2/team_log/get_events/continue"

const Tagged = Schema.Struct({ ".tag": Schema.String })

/** `%Y-%m-%dT%H:%M:%SZ` (DropboxTimestamp), read leniently as any ISO 8601 instant with a zone. */
export const DropboxTimestamp = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    !Number.isNaN(Date.parse(text))
      ? undefined
      : `a Dropbox timestamp such as 2017-01-25T15:51:30Z; got ${JSON.stringify(text)}`,
  ),
)

const UserLogInfo = Schema.Struct({
  ".tag": Schema.optional(Schema.String),
  account_id: Schema.optional(Schema.NullOr(Schema.String)),
  display_name: Schema.optional(Schema.NullOr(Schema.String)),
  email: Schema.optional(Schema.NullOr(Schema.String)),
})

/** ActorLogInfo: `user` and `admin` carry a UserLogInfo under the tag's own name. */
const ActorLogInfo = Schema.Struct({
  ".tag": Schema.String,
  user: Schema.optional(UserLogInfo),
  admin: Schema.optional(UserLogInfo),
})

const OriginLogInfo = Schema.Struct({
  geo_location: Schema.optional(
    Schema.NullOr(Schema.Struct({ ip_address: Schema.optional(Schema.NullOr(Schema.String)) })),
  ),
})

export const TeamEvent = Schema.Struct({
  timestamp: DropboxTimestamp,
  event_category: Schema.optional(Tagged),
  event_type: Schema.Struct({ ".tag": Schema.NonEmptyString, description: Schema.optional(Schema.String) }),
  actor: Schema.optional(Schema.NullOr(ActorLogInfo)),
  origin: Schema.optional(Schema.NullOr(OriginLogInfo)),
  details: Schema.optional(
    Schema.NullOr(
      Schema.Struct({
        ".tag": Schema.optional(Schema.String),
        login_method: Schema.optional(Tagged),
        // LoginFailDetails.error_details (FailureDetailsLogInfo): why a sign-in failed.
        error_details: Schema.optional(
          Schema.NullOr(
            Schema.Struct({
              user_friendly_message: Schema.optional(Schema.NullOr(Schema.String)),
              technical_error_message: Schema.optional(Schema.NullOr(Schema.String)),
            }),
          ),
        ),
      }),
    ),
  ),
}).annotations({ identifier: "DropboxTeamEvent" })
export type TeamEvent = typeof TeamEvent.Type

export { canonicalJson }

/**
 * Dropbox events carry no id: the lowercase hex SHA-256 of the event's canonical JSON, stable across re-fetches.
 * Two byte-identical events (same second, same everything) are one record to this connector.
 */
export const teamEventId = (raw: unknown): string => canonicalDigest(raw)

/** A decoded event beside the record exactly as received, which its id is made from. */
export interface TeamEventRecord {
  readonly raw: unknown
  readonly event: TeamEvent
}

// The event's compiled checks (fastDecode.ts), as the transformation around it leaves the stream's record to
// Effect's decode: through Effect's parser the event's nested structs cost about 3.3 µs a record.
const decodeEvent = fastParser(TeamEvent)

/** The stream's record: decoding keeps the raw event, since the decoded form drops undeclared fields. */
export const TeamEventRecord: Schema.Schema<TeamEventRecord, unknown> = Schema.transformOrFail(
  Schema.Unknown,
  Schema.declare((input: unknown): input is TeamEventRecord => typeof input === "object" && input !== null),
  {
    strict: true,
    decode: (raw) => Either.map(decodeEvent(raw), (event) => ({ raw, event })),
    encode: (record) => ParseResult.succeed(record.raw),
  },
).annotations({ identifier: "DropboxTeamEventRecord" })

/** GetTeamEventsResult: the cursor comes on every answer, the last included. */
export const TeamEventsPage = Schema.Struct({
  events: Schema.Array(Schema.Unknown),
  cursor: Schema.NonEmptyString,
  has_more: Schema.Boolean,
}).annotations({ identifier: "DropboxTeamEventsPage" })
export type TeamEventsPage = typeof TeamEventsPage.Type

/** Dropbox's error body: `{"error_summary": "reset/..", "error": {".tag": "reset", …}}`. */
export const DropboxError = Schema.Struct({
  error_summary: Schema.optional(Schema.String),
  error: Schema.optional(
    Schema.Union(Schema.String, Schema.Struct({ ".tag": Schema.optional(Schema.String) })),
  ),
})

/** The error's tag (`reset`, `bad_cursor`, `invalid_access_token`…) and summary; a 400's body is plain text. */
export const describeDropboxError = (body: unknown): { code?: string; message?: string } => {
  if (typeof body === "string") return { message: body }
  return Option.match(Schema.decodeUnknownOption(DropboxError)(body), {
    onNone: () => ({}),
    onSome: ({ error, error_summary }) => {
      const code = typeof error === "string" ? error : error?.[".tag"]
      return {
        ...(code ? { code } : {}),
        ...(error_summary ? { message: error_summary } : {}),
      }
    },
  })
}
