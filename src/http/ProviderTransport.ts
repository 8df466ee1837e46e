import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type Context, Duration, Effect, Layer } from "effect"
import { Agent } from "undici"
import { countProviderRequest, forAccount, providerRequestDuration, timed } from "../observability/metrics.ts"
import { ProviderTimeout, ProviderUnavailable } from "./ProviderError.ts"
import type { ProviderRequest, ResponseHeaders } from "./ProviderRequest.ts"
import { type BodyRead, ResponseBodyCap } from "./ResponseBodyCap.ts"

/** One exchange with a provider, before its status means anything: the status, headers and what was read. */
export interface Exchange {
  readonly status: number
  readonly headers: ResponseHeaders
  readonly read: BodyRead
}

const toHttpRequest = (req: ProviderRequest) =>
  HttpClientRequest.make(req.method ?? "GET")(req.url, { headers: req.headers }).pipe(
    // Raw: the caller's own content-type stands (a form for a token, JSON for a query), none is added.
    (request) =>
      req.body === undefined ? request : HttpClientRequest.setBody(request, HttpBody.raw(req.body)),
  )

/**
 * One attempt at a provider request over `@effect/platform`'s HttpClient (undici underneath): the timeout
 * covers connect, headers and the capped body; a failure with no answer is `ProviderUnavailable`, one past
 * the timeout `ProviderTimeout`. Metered per attempt. Retries and quotas are the caller's.
 */
export class ProviderTransport extends Effect.Service<ProviderTransport>()("ProviderTransport", {
  effect: (requestTimeout: Duration.DurationInput) =>
    Effect.gen(function* () {
      const timeoutMs = Duration.toMillis(requestTimeout)
      const cap = yield* ResponseBodyCap
      const client = (yield* HttpClient.HttpClient).pipe(
        // Scoped: what is left unread of a body (over the cap, or on a timeout) is aborted when the attempt
        // ends, so its connection is closed rather than pooled mid-body.
        HttpClient.withScope,
        // Providers get only the headers we mean to send, and no span records their URLs and headers: the
        // send's own span says which integration.
        HttpClient.withTracerPropagation(false),
        HttpClient.withTracerDisabledWhen(() => true),
      )

      const exchange = (
        req: ProviderRequest,
      ): Effect.Effect<Exchange, ProviderUnavailable | ProviderTimeout> => {
        const integration = req.account.integration
        return Effect.gen(function* () {
          const response = yield* client.execute(toHttpRequest(req))
          const read = yield* cap.read(response)
          return { status: response.status, headers: response.headers, read }
        }).pipe(
          Effect.scoped,
          Effect.mapError(
            // The cause's own message only: the request (and its Authorization header) stays out of it.
            (error) =>
              new ProviderUnavailable({
                integration,
                message: `${integration} unreachable: ${causeMessage(error.cause)}`,
              }),
          ),
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () =>
              new ProviderTimeout({
                integration,
                timeoutMs,
                message: `${integration} did not answer within ${timeoutMs}ms`,
              }),
          }),
          timed(forAccount(providerRequestDuration, req.account)),
          Effect.tapBoth({
            onFailure: () => countProviderRequest(req.account, "error"),
            onSuccess: ({ status }) => countProviderRequest(req.account, String(status)),
          }),
        )
      }
      return { exchange } as const
    }),
}) {}

const causeMessage = (cause: unknown) =>
  cause instanceof Error ? cause.message : cause === undefined ? "no answer" : String(cause)

/**
 * The client the transport runs on: one undici pool per ProviderHttp, its keep-alive and per-origin
 * connection count ours, closed with the layer. The connector's own undici (8), not the 7 that
 * @effect/platform-node bundles: after an aborted body, 7 opens a spare connection to the provider (seen
 * against a loopback server), 8 does not.
 */
export const undiciClientLayer = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
  Layer.provide(
    Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() => new Agent({ keepAliveTimeout: 30_000, connections: 16 })),
        (agent) => Effect.promise(() => agent.close()),
      ).pipe(
        // The types differ only in the low-level dispatch handler; the platform calls `request`, whose
        // options and answer are the same in both.
        Effect.map((agent) => agent as unknown as Context.Tag.Service<typeof NodeHttpClient.Dispatcher>),
      ),
    ),
  ),
)
