/** What a route answers; HttpServer turns it into the wire response: JSON, or `text` as given. */
export interface ApiResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: unknown
  /** A non-JSON body (e.g. Prometheus exposition), sent with its own content type. */
  readonly text?: { readonly contentType: string; readonly body: string }
}

export const json = (
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): ApiResponse => (headers === undefined ? { status, body } : { status, body, headers })

export const text = (status: number, contentType: string, body: string): ApiResponse => ({
  status,
  body: undefined,
  text: { contentType, body },
})
