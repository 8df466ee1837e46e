import { Option } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { dateWindow, type WindowToken } from "../../paging/dateWindow.ts"
import { operationLogToActivity } from "../toActivity.ts"
import { OPERATION_LOGS_PATH, ZoomOperationLog } from "../ZoomOperationLog.ts"
import { MAX_WINDOW_MS, operationLogsPage, reportFacts, reportRequest } from "./reports.ts"

/** `GET /v2/report/operationlogs`: user lifecycle and settings changes. Never a login, so `action` skips it. */
export const operationLogs: ActivityStream<ZoomOperationLog, WindowToken> = {
  ...reportFacts,
  name: "operation_logs",
  record: ZoomOperationLog,
  toActivity: operationLogToActivity,
  paging: dateWindow({
    integration: "zoom",
    maxWindowMs: MAX_WINDOW_MS,
    request: reportRequest(OPERATION_LOGS_PATH),
    read: (body) =>
      Option.getOrUndefined(
        Option.map(operationLogsPage(body), (page) => ({
          records: page.operation_logs,
          token: page.next_page_token ?? undefined,
        })),
      ),
  }),
  pushedDown: ["created_at"],
  canMatch: (filters) => filters.action === undefined,
  paths: [OPERATION_LOGS_PATH],
}
