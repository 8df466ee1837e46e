import { type KeyObject, randomUUID, sign } from "node:crypto"
import { Clock, Duration, Effect } from "effect"

/** The registered claims (RFC 7519 §4.1) the connector's assertions carry. */
export interface AssertionClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url")

/**
 * A JWT signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3), for a token request (RFC 7523):
 * `iat` now by the Clock, `exp` after `lifetime`, and a random `jti` so the endpoint can refuse a replay.
 * node:crypto does the signing: three base64url segments need no JWT library.
 */
export const signAssertion = (
  claims: AssertionClaims,
  key: KeyObject,
  options: { readonly lifetime: Duration.DurationInput; readonly keyId?: string | undefined },
): Effect.Effect<string> =>
  Effect.gen(function* () {
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const jti = yield* Effect.sync(() => randomUUID())
    const header = {
      alg: "RS256",
      typ: "JWT",
      ...(options.keyId === undefined ? {} : { kid: options.keyId }),
    }
    const payload = {
      ...claims,
      iat: now,
      exp: now + Math.floor(Duration.toSeconds(options.lifetime)),
      jti,
    }
    const signingInput = `${segment(header)}.${segment(payload)}`
    const signature = sign("sha256", Buffer.from(signingInput), key).toString("base64url")
    return `${signingInput}.${signature}`
  })
