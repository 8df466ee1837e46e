/** What a simulator answers one request with; the kit writes `body` as JSON. */
export interface Reply<Note = never> {
  readonly status: number
  /** Encoded as JSON; undefined sends an empty body. */
  readonly body?: unknown
  /** An array value is sent as repeated headers (Okta sends each `Link` relation on its own). */
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** What the request log should keep about this exchange beyond the basics. Never a secret. */
  readonly note?: Note
}
