import { createPrivateKey, type KeyObject } from "node:crypto"
import { ParseResult, Redacted, Schema } from "effect"
import {
  BasicAuth,
  BearerToken,
  ClientCredentials,
  Credentials,
  JwtBearer,
  OAuthRefresh,
  PrivateKeyJwt,
  RsaPrivateKey,
  SswsToken,
} from "../domain/Credentials.ts"

// Each builder is one credential form: the config keys a provider documents (the encoded side, what
// `credentials:` holds) decoded into a typed, tagged value with its secrets Redacted (the type side). A
// provider's `credentials.ts` is a union of these, richest form first, since a union decodes to its first
// member that accepts the keys. Encoding gives the config keys back.

/**
 * A provider's credential forms (a union of the builders below, richest first) as a schema of the shared
 * `Credentials` union, which is what an account holds whatever its provider.
 */
export const credentialForms = <A extends Credentials, I>(identifier: string, forms: Schema.Schema<A, I>) =>
  Schema.compose(forms, Credentials, { strict: false }).annotations({ identifier })

const Key = Schema.NonEmptyString
const Secret = Schema.Redacted(Schema.NonEmptyString)

/**
 * A PEM private key, parsed at config load, so a truncated or mangled key stops the start rather than the
 * first token request. Only RSA: the assertions are RS256. Newlines written as `\n` (as they often are in an
 * environment variable) are accepted.
 */
const PemRsaPrivateKey = Schema.transformOrFail(Key, RsaPrivateKey, {
  strict: true,
  decode: (pem, _, ast) => {
    // The issue shows the message only: the PEM itself must never reach a config problem or a log.
    const refused = ParseResult.fail(
      new ParseResult.Type(ast, Redacted.make(pem), "must be a PEM-encoded RSA private key"),
    )
    let key: KeyObject
    try {
      key = createPrivateKey(pem.includes("\n") ? pem : pem.replaceAll("\\n", "\n"))
    } catch {
      return refused
    }
    return key.asymmetricKeyType === "rsa" ? ParseResult.succeed(Redacted.make(key)) : refused
  },
  encode: (key) =>
    ParseResult.succeed(Redacted.value(key).export({ type: "pkcs8", format: "pem" }) as string),
})

/** `access_token`, sent as `Authorization: Bearer`. */
export const bearerToken = () =>
  Schema.transform(Schema.Struct({ access_token: Secret }), BearerToken, {
    strict: true,
    decode: (keys) => ({ _tag: "Bearer" as const, token: keys.access_token }),
    encode: (value) => ({ access_token: value.token }),
  })

/** `api_token`, Okta's API token, sent as `Authorization: SSWS`. */
export const sswsToken = () =>
  Schema.transform(Schema.Struct({ api_token: Secret }), SswsToken, {
    strict: true,
    decode: (keys) => ({ _tag: "Ssws" as const, token: keys.api_token }),
    encode: (value) => ({ api_token: value.token }),
  })

/**
 * A user and a secret under the keys the provider names, sent as HTTP Basic. `usernameSuffix`: what the
 * provider wants after the user (Zendesk's API tokens: `{email}/token`).
 */
export const basic = <const U extends string, const S extends string>(
  userKey: U,
  secretKey: S,
  options: { readonly usernameSuffix?: string } = {},
) => {
  const suffix = options.usernameSuffix ?? ""
  type Keys = { readonly [P in U]: typeof Key } & { readonly [P in S]: typeof Secret }
  type Decoded = { readonly [P in U]: string } & { readonly [P in S]: Redacted.Redacted<string> }
  return Schema.transform(Schema.Struct({ [userKey]: Key, [secretKey]: Secret } as Keys), BasicAuth, {
    strict: false,
    decode: (keys) => {
      const decoded = keys as unknown as Decoded
      return {
        _tag: "Basic" as const,
        username: `${decoded[userKey]}${suffix}`,
        password: decoded[secretKey],
      }
    },
    encode: (value) => ({
      [userKey]: value.username.slice(0, value.username.length - suffix.length),
      [secretKey]: value.password,
    }),
  })
}

/** `refresh_token` + `client_id` + `client_secret`: exchanged for access tokens (refresh-token grant). */
export const oauthRefresh = () =>
  Schema.transform(
    Schema.Struct({ refresh_token: Secret, client_id: Key, client_secret: Secret }),
    OAuthRefresh,
    {
      strict: true,
      decode: (keys) => ({
        _tag: "OAuthRefresh" as const,
        clientId: keys.client_id,
        clientSecret: keys.client_secret,
        refreshToken: keys.refresh_token,
      }),
      encode: (value) => ({
        refresh_token: value.refreshToken,
        client_id: value.clientId,
        client_secret: value.clientSecret,
      }),
    },
  )

/** `client_id` + `client_secret`: exchanged for access tokens (client-credentials grant). */
export const clientCredentials = () =>
  Schema.transform(Schema.Struct({ client_id: Key, client_secret: Secret }), ClientCredentials, {
    strict: true,
    decode: (keys) => ({
      _tag: "ClientCredentials" as const,
      clientId: keys.client_id,
      clientSecret: keys.client_secret,
    }),
    encode: (value) => ({ client_id: value.clientId, client_secret: value.clientSecret }),
  })

/** `account_id` + `client_id` + `client_secret`: client credentials bound to an account (Zoom server-to-server). */
export const accountCredentials = () =>
  Schema.transform(
    Schema.Struct({ account_id: Key, client_id: Key, client_secret: Secret }),
    ClientCredentials,
    {
      strict: false,
      decode: (keys) => ({
        _tag: "ClientCredentials" as const,
        clientId: keys.client_id,
        clientSecret: keys.client_secret,
        accountId: keys.account_id,
      }),
      encode: (value) => ({
        account_id: value.accountId ?? "",
        client_id: value.clientId,
        client_secret: value.clientSecret,
      }),
    },
  )

/** `client_id` + `username` + `private_key` (PEM): a signed assertion exchanged for tokens (JWT bearer grant). */
export const jwtBearer = () =>
  Schema.transform(
    Schema.Struct({ client_id: Key, username: Key, private_key: PemRsaPrivateKey }),
    JwtBearer,
    {
      strict: false,
      decode: (keys) => ({
        _tag: "JwtBearer" as const,
        clientId: keys.client_id,
        username: keys.username,
        privateKey: keys.private_key,
      }),
      encode: (value) => ({
        client_id: value.clientId,
        username: value.username,
        private_key: value.privateKey,
      }),
    },
  )

/**
 * `client_id` + `private_key` (PEM), optionally `key_id`: client credentials with a signed client assertion
 * instead of a secret (`private_key_jwt`).
 */
export const privateKeyJwt = () =>
  Schema.transform(
    Schema.Struct({ client_id: Key, private_key: PemRsaPrivateKey, key_id: Schema.optional(Key) }),
    PrivateKeyJwt,
    {
      strict: false,
      decode: (keys) => ({
        _tag: "PrivateKeyJwt" as const,
        clientId: keys.client_id,
        privateKey: keys.private_key,
        ...(keys.key_id === undefined ? {} : { keyId: keys.key_id }),
      }),
      encode: (value) => ({
        client_id: value.clientId,
        private_key: value.privateKey,
        ...(value.keyId === undefined ? {} : { key_id: value.keyId }),
      }),
    },
  )
