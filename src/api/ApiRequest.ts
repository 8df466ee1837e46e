import type { IncomingHttpHeaders } from "node:http"

/** An incoming request as the routes see it: the path and the query apart. */
export interface ApiRequest {
  readonly method: string
  /** Without the query string: safe to log. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
}
