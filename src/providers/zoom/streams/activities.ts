import { Option } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { dateWindow, type WindowToken } from "../../paging/dateWindow.ts"
import { activityLogToActivity } from "../toActivity.ts"
import { ACTIVITIES_PATH, ZoomActivityLog } from "../ZoomActivityLog.ts"
import { activityLogsPage, MAX_WINDOW_MS, reportFacts, reportRequest } from "./reports.ts"

/** `GET /v2/report/activities`: sign-ins and sign-outs. `action=login` keeps its `Sign in` rows (post-filter). */
export const activities: ActivityStream<ZoomActivityLog, WindowToken> = {
  ...reportFacts,
  name: "activities",
  record: ZoomActivityLog,
  toActivity: activityLogToActivity,
  paging: dateWindow({
    integration: "zoom",
    maxWindowMs: MAX_WINDOW_MS,
    request: reportRequest(ACTIVITIES_PATH),
    read: (body) =>
      Option.getOrUndefined(
        Option.map(activityLogsPage(body), (page) => ({
          records: page.activity_logs,
          token: page.next_page_token ?? undefined,
        })),
      ),
  }),
  pushedDown: ["created_at"],
  paths: [ACTIVITIES_PATH],
}
