import type { ActivityStream } from "../../ActivityStream.ts"
import { activityLogsPaging, type FigmaCursor } from "../activityLogsPaging.ts"
import { ACTIVITY_LOGS_PATH, describeFigmaError, FigmaActivityLogRead } from "../FigmaActivityLog.ts"
import { toActivity } from "../toActivity.ts"

/**
 * The organization's activity logs through `GET /v1/activity_logs`, oldest first, tailed by Figma's own cursor
 * (returned on the last page too; asked with later, it yields what was logged since). `created_at` goes to
 * `start_time` (whole seconds, inclusive; the shared post-filter applies the exact bound) and `action` to
 * `events`, as the Figma types it stands for.
 */
export const activityLogs: ActivityStream<FigmaActivityLogRead, FigmaCursor> = {
  name: "activity_logs",
  record: FigmaActivityLogRead,
  toActivity,
  // By the order Figma logged them: an event logged late (older timestamp) comes after newer ones.
  order: "unsorted",
  tail: { mode: "cursor" },
  paging: activityLogsPaging,
  pushedDown: ["created_at", "action"],
  paths: [ACTIVITY_LOGS_PATH],
  describeError: describeFigmaError,
}
