import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Stream } from "effect"
import { ProviderBadResponse } from "./ProviderError.ts"

/** What was read of a response: its text, or how it went over the cap. */
export type BodyRead =
  | { readonly _tag: "Read"; readonly text: string }
  | { readonly _tag: "OverCap"; readonly declared: number | undefined }

/**
 * Reads a response body up to `provider.max_response_bytes`. A declared length over the cap is refused before
 * a byte is read; one within it is read whole; otherwise bytes are counted as they arrive and reading stops once
 * past the cap. What is left unread is aborted with the request's scope (the client is scoped), which closes the
 * connection instead of returning it to the pool with the rest of the body still coming.
 */
export class ResponseBodyCap extends Effect.Service<ResponseBodyCap>()("ResponseBodyCap", {
  effect: (maxBytes: number) =>
    Effect.succeed({
      maxBytes,
      read: (
        response: HttpClientResponse.HttpClientResponse,
      ): Effect.Effect<BodyRead, HttpClientError.ResponseError> => {
        const declaredLength = response.headers["content-length"] ?? ""
        const declared = /^\d+$/.test(declaredLength) ? Number(declaredLength) : undefined
        if (declared !== undefined && declared > maxBytes)
          return Effect.succeed({ _tag: "OverCap", declared } as const)
        // A declared length within the cap bounds the body (undici reads no byte past it), so it is read whole
        // by undici's own `text()`, which the counted read below imitates: the stream it counts through costs
        // about 0.15 ms of CPU a response, most of a 100 KB page's reading.
        if (declared !== undefined)
          return Effect.map(response.text, (text): BodyRead => ({ _tag: "Read", text }))
        return Stream.runFoldWhile(
          response.stream,
          { size: 0, chunks: [] as Array<Uint8Array> },
          (read) => read.size <= maxBytes,
          (read, chunk) => {
            read.chunks.push(chunk)
            return { size: read.size + chunk.length, chunks: read.chunks }
          },
        ).pipe(
          Effect.map(
            ({ size, chunks }): BodyRead =>
              size > maxBytes
                ? { _tag: "OverCap", declared: undefined }
                : // As undici's `text()`: UTF-8, a byte-order mark dropped.
                  { _tag: "Read", text: new TextDecoder().decode(Buffer.concat(chunks)) },
          ),
        )
      },
      /** The error for a body over the cap: how it went over, never what it held. */
      overCap: (integration: string, declared: number | undefined) =>
        new ProviderBadResponse({
          integration,
          message:
            declared === undefined
              ? `${integration} answered more than ${maxBytes} bytes, the cap (provider.max_response_bytes); the rest was not read`
              : `${integration} announced a ${declared}-byte answer, over the ${maxBytes}-byte cap (provider.max_response_bytes); none of it was read`,
        }),
    }),
}) {}
