// GitHub's audit-log endpoints allow 1,750 queries an hour per user and IP address (REST reference and the
// enterprise "Using the audit log API" guide; the 2023-08-01 changelog adds "and entity path", so each org's
// `/orgs/{org}/audit-log` counts on its own). Every response reports the quota in `x-ratelimit-limit`,
// `-remaining`, `-used`, `-reset` (epoch seconds) and `-resource`. Over it, GitHub answers 403 or 429:
// `x-ratelimit-remaining: 0` for the primary limit, `retry-after` (seconds) for a secondary one.

export const AUDIT_LOG_QUERIES_PER_HOUR = 1_750
const HOUR_MS = 3_600_000

export interface PollBudgetOptions {
  /** Time between the starts of two polls of this organization. */
  readonly intervalMs: number
  readonly queriesPerHour?: number
  /**
   * The part of the quota this reader may use, in (0, 1]: less when other tools read the same org's audit
   * log with the same token from the same address, since they share the count.
   */
  readonly share?: number
}

/** Requests one poll may spend so that polling at `intervalMs` never exceeds the hourly quota. */
export const requestsPerPoll = ({ intervalMs, queriesPerHour, share }: PollBudgetOptions): number =>
  Math.max(
    0,
    Math.floor(((queriesPerHour ?? AUDIT_LOG_QUERIES_PER_HOUR) * (share ?? 1) * intervalMs) / HOUR_MS),
  )

/** The shortest poll interval at which `requests` per poll stay within the hourly quota. */
export const minPollIntervalMs = (
  requests: number,
  options: Omit<PollBudgetOptions, "intervalMs"> = {},
): number =>
  Math.ceil(
    (requests * HOUR_MS) / ((options.queriesPerHour ?? AUDIT_LOG_QUERIES_PER_HOUR) * (options.share ?? 1)),
  )

type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()]
  return typeof value === "string" ? value : value?.[0]
}

const numberOf = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === "") return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

/** The quota as one response reported it. */
export interface AuditLogQuota {
  readonly limit?: number
  readonly remaining?: number
  readonly used?: number
  /** Epoch ms. */
  readonly resetAt?: number
  /** `audit_log` for these endpoints. */
  readonly resource?: string
}

export const readQuota = (headers: Headers): AuditLogQuota => {
  const reset = numberOf(header(headers, "x-ratelimit-reset"))
  const entries = {
    limit: numberOf(header(headers, "x-ratelimit-limit")),
    remaining: numberOf(header(headers, "x-ratelimit-remaining")),
    used: numberOf(header(headers, "x-ratelimit-used")),
    resetAt: reset === undefined ? undefined : reset * 1000,
    resource: header(headers, "x-ratelimit-resource"),
  }
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as AuditLogQuota
}

/**
 * Requests this poll may still spend: the static budget, lowered when the quota GitHub reports left would not
 * last until its reset at that pace (`remaining` spread over the polls before the reset).
 */
export const requestsAllowedNow = (
  quota: AuditLogQuota,
  nowMs: number,
  options: PollBudgetOptions,
): number => {
  const budget = requestsPerPoll(options)
  if (quota.remaining === undefined || quota.resetAt === undefined) return budget
  const pollsUntilReset = Math.max(1, Math.ceil((quota.resetAt - nowMs) / options.intervalMs))
  return Math.min(budget, Math.floor(quota.remaining / pollsUntilReset))
}

/**
 * How long to wait when an answer is GitHub's rate limit, or undefined when it is not one. A 403 is a rate
 * limit only with `retry-after` or `x-ratelimit-remaining: 0`; otherwise it is a permission answer (not an
 * owner, missing `read:audit_log`, not Enterprise Cloud) and must not be retried. Without either header GitHub
 * asks for at least a minute on a secondary limit.
 */
export const rateLimitWaitMs = (status: number, headers: Headers, nowMs: number): number | undefined => {
  if (status !== 403 && status !== 429) return undefined
  const retryAfter = numberOf(header(headers, "retry-after"))
  if (retryAfter !== undefined) return Math.max(0, retryAfter * 1000)
  const quota = readQuota(headers)
  if (quota.remaining === 0 && quota.resetAt !== undefined) return Math.max(0, quota.resetAt - nowMs)
  return status === 429 ? 60_000 : undefined
}
