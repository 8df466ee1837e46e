import { randomBytes } from "node:crypto"

/** An `Authorization` header split into its scheme and credentials. */
export interface Authorization {
  /** As sent (`Bearer`, `SSWS`, `Basic`…); undefined when the header is absent or empty. */
  readonly scheme: string | undefined
  readonly credentials: string
}

export const parseAuthorization = (header: string | undefined): Authorization => {
  const text = (header ?? "").trim()
  const space = text.indexOf(" ")
  const scheme = space < 0 ? text : text.slice(0, space)
  return {
    scheme: scheme === "" ? undefined : scheme,
    credentials: space < 0 ? "" : text.slice(space + 1).trim(),
  }
}

/** The credentials when they come under `scheme` (`Bearer`, `SSWS`…); schemes are case-insensitive (RFC 9110 §11.1). */
export const credentialsUnder = (authorization: Authorization, scheme: string): string | undefined =>
  authorization.scheme?.toLowerCase() === scheme.toLowerCase() && authorization.credentials !== ""
    ? authorization.credentials
    : undefined

/** Whether the header presents `secret` under `scheme`. */
export const hasCredential = (authorization: Authorization, scheme: string, secret: string): boolean =>
  credentialsUnder(authorization, scheme) === secret

/** Basic credentials (RFC 7617); undefined when the scheme is not Basic or the value is not `id:password`. */
export const basicCredentials = (
  authorization: Authorization,
): { readonly userId: string; readonly password: string } | undefined => {
  if (authorization.scheme?.toLowerCase() !== "basic") return undefined
  const decoded = Buffer.from(authorization.credentials, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon < 0 ? undefined : { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * A credential for a simulator to accept: fresh per start and never seeded, so a test that looks for leaked
 * secrets cannot pass by finding a value that happens to be known.
 */
export const newSecret = (bytes: number): string => randomBytes(bytes).toString("base64url")
