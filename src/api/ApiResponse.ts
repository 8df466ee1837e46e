/** What a route answers; HttpServer turns it into the wire response (always JSON). */
export interface ApiResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: unknown
}

export const json = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): ApiResponse => (headers === undefined ? { status, body } : { status, body, headers })
