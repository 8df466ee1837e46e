import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { Either, Option, ParseResult, Redacted, Schema } from "effect"

// A rotated refresh token as the credentials topic holds it: AES-256-GCM under `credentials_store.key`,
// bound to its account (the account id is the additional authenticated data, so a record copied under another
// key does not open), beside an HMAC of the configured refresh token it descends from. Node's own crypto:
// one AEAD call each way needs no library, and every maintained one wraps these same calls.

/** `credentials_store.key`: 32 random bytes, base64 (`openssl rand -base64 32`). */
export const CredentialsStoreKey = Schema.transformOrFail(
  Schema.String,
  Schema.RedactedFromSelf(Schema.Uint8ArrayFromSelf),
  {
    strict: true,
    decode: (text, _, ast) => {
      const trimmed = text.trim()
      const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : undefined
      // The message names what is wanted, never the value found: it is a key.
      return bytes?.length === 32
        ? ParseResult.succeed(Redacted.make(new Uint8Array(bytes)))
        : ParseResult.fail(
            new ParseResult.Type(
              ast,
              Redacted.make(text),
              "must be 32 bytes, base64 (openssl rand -base64 32)",
            ),
          )
    },
    encode: (key) => ParseResult.succeed(Buffer.from(Redacted.value(key)).toString("base64")),
  },
).annotations({ identifier: "CredentialsStoreKey" })
export type CredentialsStoreKey = typeof CredentialsStoreKey.Type

/** The record's value on the credentials topic: ciphertext and a MAC, nothing readable. */
export const SealedRefreshToken = Schema.Struct({
  version: Schema.Literal(1),
  /** HMAC-SHA-256 under the store key of the configured refresh token this one was rotated from. */
  configured_mac: Schema.String,
  iv: Schema.String,
  tag: Schema.String,
  ciphertext: Schema.String,
})
export type SealedRefreshToken = typeof SealedRefreshToken.Type

const SealedJson = Schema.parseJson(SealedRefreshToken)

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url")

/**
 * A MAC rather than a plain hash: a reader of the topic cannot even confirm a guess of the configured token.
 * Keyed by the store key, so it is compared only by who can also decrypt.
 */
const configuredMac = (key: CredentialsStoreKey, configured: Redacted.Redacted<string>) =>
  createHmac("sha256", Redacted.value(key)).update(Redacted.value(configured), "utf8").digest()

export const sealRefreshToken = (
  key: CredentialsStoreKey,
  accountId: string,
  configured: Redacted.Redacted<string>,
  token: Redacted.Redacted<string>,
): string => {
  // A fresh 96-bit IV per record, as GCM requires; records are few (one per rotation).
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", Redacted.value(key), iv)
  cipher.setAAD(Buffer.from(accountId, "utf8"))
  const ciphertext = Buffer.concat([cipher.update(Redacted.value(token), "utf8"), cipher.final()])
  return Schema.encodeSync(SealedJson)({
    version: 1,
    configured_mac: b64(configuredMac(key, configured)),
    iv: b64(iv),
    tag: b64(cipher.getAuthTag()),
    ciphertext: b64(ciphertext),
  })
}

/** Why a stored record is not used; never carries the record's content. */
export type Unusable = "unreadable" | "other-key" | "other-configured-token"

/**
 * The refresh token to send for an account: the stored one when it opens under `key` and descends from the
 * configured token now in the config; else the configured one (an operator who put a fresh token in the
 * config is obeyed; a record from another key, or damaged, cannot be used). `Left` says why the stored one
 * was passed over, for a log line.
 */
export const chooseRefreshToken = (
  key: CredentialsStoreKey,
  accountId: string,
  configured: Redacted.Redacted<string>,
  stored: Option.Option<string>,
): { readonly token: Redacted.Redacted<string>; readonly passedOver?: Unusable } => {
  if (Option.isNone(stored)) return { token: configured }
  const opened = openRefreshToken(key, accountId, configured, stored.value)
  return Either.isRight(opened) ? { token: opened.right } : { token: configured, passedOver: opened.left }
}

export const openRefreshToken = (
  key: CredentialsStoreKey,
  accountId: string,
  configured: Redacted.Redacted<string>,
  value: string,
): Either.Either<Redacted.Redacted<string>, Unusable> => {
  const decoded = Schema.decodeUnknownEither(SealedJson)(value)
  if (Either.isLeft(decoded)) return Either.left("unreadable")
  const sealed = decoded.right
  let token: string
  try {
    const decipher = createDecipheriv("aes-256-gcm", Redacted.value(key), Buffer.from(sealed.iv, "base64url"))
    decipher.setAAD(Buffer.from(accountId, "utf8"))
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64url"))
    token = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8")
  } catch {
    // GCM's tag check fails alike for another key, another account and a damaged record.
    return Either.left("other-key")
  }
  const mac = Buffer.from(sealed.configured_mac, "base64url")
  const expected = configuredMac(key, configured)
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    return Either.left("other-configured-token")
  }
  return Either.right(Redacted.make(token))
}
