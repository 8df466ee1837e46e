import type { ActivityStream } from "../../ActivityStream.ts"
import { AtlassianEventRead } from "../AtlassianEvent.ts"
import {
  type AtlassianCursor,
  canMatchAction,
  describeError,
  eventsStreamPaging,
  isEventsStreamPath,
} from "../eventsStreamPaging.ts"
import { AtlassianActionKeys, toActivity } from "../toActivity.ts"

/**
 * The organization's audit events through `GET /admin/v1/orgs/{orgId}/events-stream`, tailed by Atlassian's
 * own cursor (returned even on the last page; asking with it later yields what was processed since).
 */
export const eventsStream: ActivityStream<AtlassianEventRead, AtlassianCursor> = {
  name: "events_stream",
  record: AtlassianEventRead,
  toActivity,
  // By processing time, not event time: an event processed late comes after newer ones.
  order: "unsorted",
  tail: { mode: "cursor" },
  paging: eventsStreamPaging,
  // `from` takes created_at; the stream has no action parameter: the shared post-filter applies it.
  pushedDown: ["created_at"],
  canMatch: (filters) => canMatchAction(filters.action, AtlassianActionKeys),
  paths: isEventsStreamPath,
  describeError,
}
