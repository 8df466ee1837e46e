import type { ActivityStream } from "../../ActivityStream.ts"
import { signInFacts } from "../../failedSignIn.ts"
import { CONTINUE_PATH, describeDropboxError, GET_EVENTS_PATH, TeamEventRecord } from "../DropboxTeamEvent.ts"
import { type DropboxCursor, isAccountId, teamEventsPaging } from "../teamEventsPaging.ts"
import { eventTypeFor, teamEventToActivity } from "../toActivity.ts"

/**
 * The team's audit log through `get_events` and `get_events/continue`, tailed by Dropbox's own cursor (polled
 * for new events once caught up, since no `end_time` is sent).
 */
export const teamEvents: ActivityStream<TeamEventRecord, DropboxCursor> = {
  // LoginFailDetails carries the error's text; the actor of a failed sign-in is the account it was tried for.
  failedSignIns: {
    actions: new Set(["login_failed"]),
    of: ({ event }) =>
      event.event_type[".tag"] !== "login_fail"
        ? undefined
        : signInFacts({
            reason:
              event.details?.error_details?.technical_error_message ??
              event.details?.error_details?.user_friendly_message,
            attempted_user: event.actor?.user?.email ?? event.actor?.admin?.email,
          }),
  },
  name: "team_events",
  record: TeamEventRecord,
  toActivity: teamEventToActivity,
  order: "unsorted",
  tail: { mode: "cursor" },
  paging: teamEventsPaging,
  // `account_id` is sent too, but Dropbox matches it as actor, context or participant: the shared post-filter
  // keeps only the events the member performed, so actor_id is not listed here.
  pushedDown: ["created_at", "action"],
  canMatch: (filters) =>
    (filters.action === undefined || eventTypeFor(filters.action) !== undefined) &&
    (filters.actor_id === undefined || isAccountId(filters.actor_id)),
  paths: [GET_EVENTS_PATH, CONTINUE_PATH],
  describeError: describeDropboxError,
}
