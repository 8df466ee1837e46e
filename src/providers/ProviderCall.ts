import { Effect, Either, Redacted } from "effect"
import { type Authorization, withAuthorization } from "../auth/Authorization.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { ForeignHostRefused, ProviderBadResponse, type ProviderError } from "../http/ProviderError.ts"
import { ProviderHttp, type ProviderResponse } from "../http/ProviderHttp.ts"

/**
 * A provider request as a stream describes it: data, not an HTTP call. `target` is a path (+ query) relative to
 * the account's base URL (`/path` from its origin; `path` below its own path), or a URL the provider itself returned (a next link, `nextRecordsUrl`): either way the
 * machinery resolves it against the account's configured origin and refuses any other origin before sending.
 */
export interface ProviderCall {
  readonly method?: "GET" | "POST"
  readonly target: string
  /** Query parameters added to those `target` carries; an array repeats the parameter. */
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** A JSON body (POST paging, e.g. Dropbox's `continue`). */
  readonly json?: unknown
  /** Headers beside Authorization, e.g. Accept or an API version; never credentials. */
  readonly headers?: Readonly<Record<string, string>>
}

export type ProviderAnswer = ProviderResponse

/** The paths a stream may request: exact paths, or a test of the path. */
export type AllowedPaths = ReadonlyArray<string> | ((pathname: string) => boolean)

const allows = (paths: AllowedPaths, pathname: string) =>
  typeof paths === "function" ? paths(pathname) : paths.includes(pathname)

/**
 * `call.target` on the account's own origin, under one of `paths` when the stream declares them. An absolute
 * or scheme-relative target elsewhere is refused as a foreign host; a path outside the stream's API as a bad
 * response (a position or a provider link that leads somewhere this stream never reads).
 */
export const resolveCall = (
  account: IntegratedAccount,
  call: ProviderCall,
  paths: AllowedPaths | undefined,
): Either.Either<URL, ForeignHostRefused | ProviderBadResponse> => {
  const integration = account.integration
  // A relative target (no leading slash) sits below the base URL's own path, as a gateway base such as
  // `https://api.atlassian.com/ex/jira/{cloudId}` needs; a base without a trailing slash still counts as a folder.
  const base = account.baseUrl.href.endsWith("/") ? account.baseUrl.href : `${account.baseUrl.href}/`
  const url = URL.parse(call.target, base)
  if (url === null) {
    return Either.left(
      new ProviderBadResponse({ integration, message: `${integration} request target is not a URL` }),
    )
  }
  if (url.origin !== account.baseUrl.origin) {
    return Either.left(
      new ForeignHostRefused({
        integration,
        host: url.host,
        message: `refused ${integration} request to ${url.host}: account ${account.id} is configured for ${account.baseUrl.host}`,
      }),
    )
  }
  if (paths !== undefined && !allows(paths, url.pathname)) {
    return Either.left(
      new ProviderBadResponse({
        integration,
        message: `${integration} request leaves the stream's API (${typeof paths === "function" ? url.pathname : paths.join(", ")})`,
      }),
    )
  }
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value === undefined) continue
    url.searchParams.delete(name)
    for (const one of typeof value === "string" ? [value] : value) url.searchParams.append(name, one)
  }
  return Either.right(url)
}

export interface SendOptions {
  readonly paths?: AllowedPaths | undefined
  readonly describeError?: ((body: unknown) => { code?: string; message?: string }) | undefined
  /** Turns a provider-specific answer into the error that says what it means (e.g. history expired). */
  readonly classifyError?: ((error: ProviderError) => ProviderError) | undefined
}

/**
 * The one place a stream's request meets the network: pinned to the account's origin, authorized, sent
 * through ProviderHttp (timeouts, retries, rate limits, response limits), errors classified by the stream.
 */
export const sendProviderCall = (
  account: IntegratedAccount,
  call: ProviderCall,
  options: SendOptions,
): Effect.Effect<
  { readonly url: URL; readonly answer: ProviderAnswer },
  ProviderError,
  ProviderHttp | Authorization
> =>
  Effect.gen(function* () {
    const url = yield* resolveCall(account, call, options.paths)
    const http = yield* ProviderHttp
    const answer = yield* withAuthorization(account, (authorization) =>
      http.send({
        account,
        url,
        ...(call.method === undefined ? {} : { method: call.method }),
        headers: {
          Authorization: Redacted.value(authorization),
          Accept: "application/json",
          ...(call.json === undefined ? {} : { "Content-Type": "application/json" }),
          ...call.headers,
        },
        ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
        ...(options.describeError === undefined ? {} : { describeError: options.describeError }),
      }),
    ).pipe(Effect.mapError((error) => options.classifyError?.(error) ?? error))
    return { url, answer }
  })
