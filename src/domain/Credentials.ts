import { KeyObject } from "node:crypto"
import { Schema } from "effect"

/** A secret string: `Redacted`, so a log line, an error or `JSON.stringify` shows `<redacted>`, never the value. */
const Secret = Schema.RedactedFromSelf(Schema.String)

/** An RSA private key, parsed once at config load; its material never prints (nor does its wrapper). */
export const RsaPrivateKey = Schema.RedactedFromSelf(
  Schema.declare(
    (u): u is KeyObject => u instanceof KeyObject && u.type === "private" && u.asymmetricKeyType === "rsa",
    { identifier: "RsaPrivateKey" },
  ),
)

/** A token sent as is: `Authorization: Bearer {token}`. */
export const BearerToken = Schema.TaggedStruct("Bearer", { token: Secret })

/** HTTP Basic: `Authorization: Basic base64(username:password)`. */
export const BasicAuth = Schema.TaggedStruct("Basic", { username: Schema.String, password: Secret })

/** An Okta API token: `Authorization: SSWS {token}`. */
export const SswsToken = Schema.TaggedStruct("Ssws", { token: Secret })

/** OAuth 2.0 refresh-token grant (RFC 6749 §6): exchanged for short-lived access tokens. */
export const OAuthRefresh = Schema.TaggedStruct("OAuthRefresh", {
  clientId: Schema.String,
  clientSecret: Secret,
  refreshToken: Secret,
})

/**
 * OAuth 2.0 client-credentials grant (RFC 6749 §4.4). `accountId`: Zoom's server-to-server apps name the
 * account they act for in the grant.
 */
export const ClientCredentials = Schema.TaggedStruct("ClientCredentials", {
  clientId: Schema.String,
  clientSecret: Secret,
  accountId: Schema.optional(Schema.String),
})

/** JWT bearer grant (RFC 7523 §2.1): an assertion signed with the private key, acting as `username`. */
export const JwtBearer = Schema.TaggedStruct("JwtBearer", {
  clientId: Schema.String,
  username: Schema.String,
  privateKey: RsaPrivateKey,
})

/**
 * Client-credentials grant with `private_key_jwt` client authentication (RFC 7523 §2.2), as Okta's OAuth
 * service apps use. `keyId` goes in the assertion's `kid` header, for an app with several keys.
 */
export const PrivateKeyJwt = Schema.TaggedStruct("PrivateKeyJwt", {
  clientId: Schema.String,
  privateKey: RsaPrivateKey,
  keyId: Schema.optional(Schema.String),
})

/** An account's credentials, decoded once at config load from the config keys its provider documents. */
export const Credentials = Schema.Union(
  BearerToken,
  BasicAuth,
  SswsToken,
  OAuthRefresh,
  ClientCredentials,
  JwtBearer,
  PrivateKeyJwt,
)
export type Credentials = typeof Credentials.Type

/** The forms exchanged at a token endpoint for short-lived access tokens, rather than sent as they are. */
export type GrantCredentials = Extract<
  Credentials,
  { readonly _tag: "OAuthRefresh" | "ClientCredentials" | "JwtBearer" | "PrivateKeyJwt" }
>

export const isGrant = (credentials: Credentials): credentials is GrantCredentials =>
  credentials._tag === "OAuthRefresh" ||
  credentials._tag === "ClientCredentials" ||
  credentials._tag === "JwtBearer" ||
  credentials._tag === "PrivateKeyJwt"
