import { Option, Schema } from "effect"
import { type ProviderError, ProviderHistoryExpired } from "../../../http/ProviderError.ts"
import type { ActivityStream } from "../../ActivityStream.ts"
import { linkHeader } from "../../paging/linkHeader.ts"
import { failedSignIns } from "../failedSignIns.ts"
import { OktaError, OktaLogEventRead } from "../OktaLogEvent.ts"
import { LOGS_PATH, type OktaPosition } from "../OktaPosition.ts"
import { MAX_LIMIT, matchesNothing, OKTA_RETENTION, startParams } from "../startQuery.ts"
import { toActivity } from "../toActivity.ts"

/** Only the code and summary: Okta's `errorCauses` vary in shape and are not needed to say what went wrong. */
const OktaErrorSummary = OktaError.pipe(Schema.pick("errorCode", "errorSummary"))

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(OktaErrorSummary)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ code: error.errorCode, message: error.errorSummary }),
  })

/** Okta answers a `since` beyond its 180-day limit with 400 E0000053, the code it also uses for bad filters. */
const classifyError = (error: ProviderError): ProviderError =>
  error._tag === "ProviderRejected" &&
  error.status === 400 &&
  error.code === "E0000053" &&
  /\bsince parameter\b|\btoo far\b/i.test(error.message)
    ? new ProviderHistoryExpired({ integration: "okta", message: error.message })
    : error

/**
 * Okta's System Log (`GET /api/v1/logs`), tailed in Okta's documented polling mode: the `rel="next"` link is
 * the position, oldest first, and an empty page is "caught up for now".
 */
export const systemLog: ActivityStream<OktaLogEventRead, OktaPosition> = {
  name: "system_log",
  record: OktaLogEventRead,
  toActivity,
  failedSignIns,
  order: "oldest_first",
  tail: { mode: "cursor" },
  paging: linkHeader({
    integration: "okta",
    path: LOGS_PATH,
    firstQuery: (query) => startParams(query.filters, query.limit, query.now),
    records: (body) => (Array.isArray(body) ? body : undefined),
    limitParam: "limit",
    maxLimit: MAX_LIMIT,
    polling: true,
  }),
  // The spec: created_at, actor_id and action supported, all three sent to Okta (since, SCIM filter).
  pushedDown: ["created_at", "actor_id", "action"],
  canMatch: (filters) => !matchesNothing(filters),
  paths: [LOGS_PATH],
  historyRetention: OKTA_RETENTION,
  describeError,
  classifyError,
}
