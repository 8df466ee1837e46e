import type { OauthbearerProviderResponse } from "kafkajs"

export interface OAuthBearerSettings {
  /** The OAuth token endpoint: client credentials grant, the client authenticated with HTTP Basic. */
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope?: string | undefined
  /** One token request; beyond it the request fails (and kafkajs retries the connection). */
  readonly timeoutMs?: number
  readonly now?: () => number
}

/** A token is replaced this long before it expires: 10 % of its lifetime, at most a minute. */
const refreshMarginMs = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10)

/** Kept until told otherwise when the endpoint gives no `expires_in`: the broker refuses it when it ends. */
const unknownLifetimeMs = 5 * 60_000

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined for Basic. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`

/**
 * kafkajs' `oauthBearerProvider` for SASL/OAUTHBEARER: a client-credentials token from the endpoint, asked
 * when kafkajs (re)authenticates a broker connection. One token serves every connection until shortly before
 * it expires, and concurrent connections share one request. A failure names the endpoint and what it said
 * (its `error` code, or the status), never the client secret.
 */
export const makeOAuthBearerProvider = (settings: OAuthBearerSettings) => {
  const now = settings.now ?? Date.now
  let cached: { readonly value: string; readonly renewAt: number } | undefined
  let inFlight: Promise<OauthbearerProviderResponse> | undefined

  const fetchToken = async (): Promise<OauthbearerProviderResponse> => {
    const body = new URLSearchParams({ grant_type: "client_credentials" })
    if (settings.scope) body.set("scope", settings.scope)
    const failed = (reason: string) =>
      new Error(`kafka.sasl: the OAUTHBEARER token request to ${settings.tokenEndpoint} failed: ${reason}`)
    let response: Response
    try {
      response = await fetch(settings.tokenEndpoint, {
        method: "POST",
        headers: {
          authorization: basic(settings.clientId, settings.clientSecret),
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
      })
    } catch (cause) {
      throw failed((cause as Error).message)
    }
    const answer = (await response.json().catch(() => undefined)) as
      | { access_token?: unknown; expires_in?: unknown; error?: unknown }
      | undefined
    if (!response.ok) {
      const code = typeof answer?.error === "string" ? ` ${answer.error.slice(0, 64)}` : ""
      throw failed(`${response.status}${code}`)
    }
    if (typeof answer?.access_token !== "string" || answer.access_token === "")
      throw failed("the answer has no access_token")
    const lifetimeMs =
      typeof answer.expires_in === "number" && answer.expires_in > 0
        ? answer.expires_in * 1000
        : unknownLifetimeMs
    cached = { value: answer.access_token, renewAt: now() + lifetimeMs - refreshMarginMs(lifetimeMs) }
    return { value: answer.access_token }
  }

  return (): Promise<OauthbearerProviderResponse> => {
    if (cached !== undefined && now() < cached.renewAt) return Promise.resolve({ value: cached.value })
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }
}
