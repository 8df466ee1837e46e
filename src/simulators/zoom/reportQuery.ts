import { Either } from "effect"
import type { ZoomStream } from "../../providers/zoom/recordId.ts"
import {
  INVALID_PARAMETER_CODE,
  PAGE_TOKEN_REJECTED,
  type ZoomError,
} from "../../providers/zoom/ZoomError.ts"
import { OperationLogCategoryFilters } from "../../providers/zoom/ZoomOperationLog.ts"

/** Zoom's largest `page_size` for the report endpoints. */
export const REPORT_PAGE_SIZE_MAX = 300
/** How far back Zoom's reports reach. */
export const REPORT_HISTORY_MONTHS = 6

/** The same day of the month `months` later, or that month's last day when it is shorter. */
export const addMonths = (day: string, months: number): string => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number]
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate()
  return dayOf(Date.UTC(y, m - 1 + months, Math.min(d, lastDay)))
}

// One page of Zoom's sign-in/sign-out or operation-logs report, answered from the simulator's rows.
// Confirmed from Zoom's reference: `from`/`to` are `yyyy-mm-dd` days, one month at most and within the last
// six months (required for operation logs, optional for activities); `page_size` defaults to 30, at most
// 300; `next_page_token` pages with the same query parameters, dies after 15 minutes, and is empty on the
// last page.
// Not documented, and chosen here: both days inclusive, read in UTC; newest first (as both of Zoom's
// examples list them); a paging run sees the rows that existed at its first page; activities without
// `from`/`to` cover the month up to today. The wording of the range errors other than the six-month one
// (Zoom's text for its other reports) is the simulator's own: a client must go by status and code only.

/** A row as the simulator keeps it: insertion order, and the moment the report files it under. */
export interface StoredRow {
  readonly seq: number
  readonly at: number
  readonly row: unknown
}

export const PAGE_TOKEN_LIFETIME_MS = 15 * 60_000

/** Zoom's generic validation answer lists the offending fields. */
export interface ZoomErrorBody extends ZoomError {
  readonly errors?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

export interface ReportPage {
  readonly body: Readonly<Record<string, unknown>>
  readonly rows: number
}

/** Opaque to clients; binds the page run to its query ("the same query parameters") and its issue time. */
interface PageToken {
  readonly stream: ZoomStream
  readonly from: string
  readonly to: string
  readonly category: string
  readonly pageSize: number
  /** Rows with a higher seq arrived after the run's first page and are not part of it. */
  readonly lastSeq: number
  readonly offset: number
  readonly issuedAt: number
}

const encodeToken = (token: PageToken) => Buffer.from(JSON.stringify(token)).toString("base64url")
const decodeToken = (text: string): PageToken | undefined => {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as PageToken
    return typeof token.offset === "number" && typeof token.issuedAt === "number" ? token : undefined
  } catch {
    return undefined
  }
}

const invalid = (message: string): ZoomErrorBody => ({ code: INVALID_PARAMETER_CODE, message })
const invalidField = (field: string): ZoomErrorBody => ({
  code: INVALID_PARAMETER_CODE,
  message: "Validation Failed.",
  errors: [{ field, message: "Invalid field." }],
})

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A `yyyy-mm-dd` day; a full date-time is read for its day (clients send both). */
const dayParam = (text: string): string | undefined => {
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text)
  const day = match?.[1]
  const ms = Date.parse(`${day}T00:00:00Z`)
  // Rejects impossible dates, which Date would roll over (2026-02-30 → 2026-03-02).
  return day !== undefined && !Number.isNaN(ms) && dayOf(ms) === day ? day : undefined
}

const categoryOf = (row: unknown) => {
  const category = (row as { category_type?: unknown } | null)?.category_type
  return typeof category === "string" ? category.toLowerCase().replaceAll(" ", "_") : undefined
}

export const queryReport = (
  stream: ZoomStream,
  store: ReadonlyArray<StoredRow>,
  params: URLSearchParams,
  now: number,
): Either.Either<ReportPage, ZoomErrorBody> =>
  Either.gen(function* () {
    const sizeText = params.get("page_size") ?? "30"
    if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > REPORT_PAGE_SIZE_MAX) {
      return yield* Either.left(invalidField("page_size"))
    }
    const pageSize = Number(sizeText)

    const today = dayOf(now)
    const required = stream === "operation_logs"
    const fromText = params.get("from")
    const toText = params.get("to")
    if (required && !fromText) return yield* Either.left(invalidField("from"))
    if (required && !toText) return yield* Either.left(invalidField("to"))
    const to = toText ? dayParam(toText) : today
    if (to === undefined) return yield* Either.left(invalidField("to"))
    const from = fromText ? dayParam(fromText) : addMonths(to, -1)
    if (from === undefined) return yield* Either.left(invalidField("from"))
    if (to < from) return yield* Either.left(invalid("The end date should be later than the start date."))
    if (to > addMonths(from, 1))
      return yield* Either.left(invalid("The date range should be within one month."))
    if (from < addMonths(today, -REPORT_HISTORY_MONTHS))
      return yield* Either.left(invalid("Only provide report in recent 6 months"))

    const category = required ? (params.get("category_type") ?? "all") : "all"
    if (!(OperationLogCategoryFilters as ReadonlyArray<string>).includes(category)) {
      return yield* Either.left(invalidField("category_type"))
    }

    const tokenText = params.get("next_page_token")
    const token = tokenText ? decodeToken(tokenText) : undefined
    if (
      tokenText &&
      (token === undefined ||
        token.stream !== stream ||
        token.from !== from ||
        token.to !== to ||
        token.category !== category ||
        token.pageSize !== pageSize ||
        now - token.issuedAt > PAGE_TOKEN_LIFETIME_MS)
    ) {
      return yield* Either.left(invalid(PAGE_TOKEN_REJECTED))
    }

    const lastSeq = token?.lastSeq ?? store.at(-1)?.seq ?? 0
    const offset = token?.offset ?? 0
    const matching = store
      .filter((stored) => stored.seq <= lastSeq)
      .filter((stored) => dayOf(stored.at) >= from && dayOf(stored.at) <= to)
      .filter((stored) => category === "all" || categoryOf(stored.row) === category)
      .sort((a, b) => b.at - a.at || b.seq - a.seq)
    const page = matching.slice(offset, offset + pageSize)
    const more = matching.length > offset + pageSize
    const next = more
      ? encodeToken({
          stream,
          from,
          to,
          category,
          pageSize,
          lastSeq,
          offset: offset + pageSize,
          issuedAt: now,
        })
      : ""
    // Zoom's examples echo the range as midnight instants for activities and as days for operation logs.
    const echo = (day: string) => (stream === "activities" ? `${day}T00:00:00Z` : day)
    return {
      rows: page.length,
      body: {
        from: echo(from),
        to: echo(to),
        page_size: pageSize,
        next_page_token: next,
        [stream === "activities" ? "activity_logs" : "operation_logs"]: page.map((stored) => stored.row),
      },
    }
  })
