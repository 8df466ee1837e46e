import { Either } from "effect"
import {
  ProviderBadResponse,
  type ProviderError,
  ProviderRateLimited,
  ProviderRejected,
  ProviderUnauthorized,
  ProviderUnavailable,
} from "./ProviderError.ts"
import {
  headerText,
  type ProviderRequest,
  type ProviderResponse,
  type ResponseHeaders,
} from "./ProviderRequest.ts"
import { isRateLimitAnswer, retryAfterMs } from "./rateLimitHeaders.ts"

const parseJson = (text: string): Either.Either<unknown, void> => {
  if (text === "") return Either.right(undefined)
  try {
    return Either.right(JSON.parse(text))
  } catch {
    return Either.left(undefined)
  }
}

/**
 * What an answer's status and body mean, as data: a 2xx with JSON (or nothing) is the response; a rate-limit
 * answer, a refusal, a 5xx or another 4xx is its error, described with the provider's own code and message
 * where `describeError` finds them. Pure: the caller remembers a rate-limit answer's wait.
 */
export const classifyAnswer = (
  req: ProviderRequest,
  answer: { readonly status: number; readonly headers: ResponseHeaders; readonly text: string },
  now: number,
): Either.Either<ProviderResponse, ProviderError> => {
  const { status, headers, text } = answer
  const integration = req.account.integration
  const ok = status >= 200 && status < 300
  const parsed = parseJson(text)
  if (ok && Either.isLeft(parsed))
    return Either.left(
      new ProviderBadResponse({
        integration,
        // The content type tells a login wall or a gateway's error page (HTML) from a cut-off JSON body.
        message: `${integration} answered with non-JSON content (content-type ${headerText(headers["content-type"]) || "not given"}, ${text.length} characters)`,
      }),
    )
  const body = Either.getOrUndefined(parsed)
  if (ok) return Either.right({ status, headers, body })
  const described = req.describeError?.(body) ?? {}
  const detail = described.message ?? (headerText(headers["content-type"]) || "no detail")
  const message = `${integration} answered ${status}${described.code ? ` ${described.code}` : ""}: ${detail}`
  // A 403 is a rate limit too where its headers say so (GitHub); otherwise it is a refusal below.
  if (isRateLimitAnswer(status, headers, now))
    return Either.left(
      new ProviderRateLimited({ integration, retryAfterMs: retryAfterMs(headers, now) ?? 1_000, message }),
    )
  if (status === 401 || status === 403)
    return Either.left(new ProviderUnauthorized({ integration, status, message }))
  if (status >= 500) return Either.left(new ProviderUnavailable({ integration, status, message }))
  return Either.left(
    new ProviderRejected({
      integration,
      status,
      ...(described.code ? { code: described.code } : {}),
      message,
    }),
  )
}
