import { createHash, timingSafeEqual } from "node:crypto"
import type { ApiResponse } from "./ApiResponse.ts"
import { errorResponse } from "./ErrorResponse.ts"

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest()

export type Authorization = "authorized" | "missing" | "invalid"

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Keys are compared as SHA-256 digests
 * (equal length, so `timingSafeEqual` applies) and every key is compared on every request, so the time
 * taken says nothing about which key, or how much of one, matched.
 */
export const makeBearerAuth = (apiKeys: ReadonlyArray<string>) => {
  const accepted = apiKeys.map(digest)
  return (header: string | undefined): Authorization => {
    const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "")?.[1]
    if (token === undefined) return "missing"
    const presented = digest(token)
    let matched = false
    for (const key of accepted) matched = timingSafeEqual(key, presented) || matched
    return matched ? "authorized" : "invalid"
  }
}

const realm = 'Bearer realm="user-directory-activities"'

/** 401 with the RFC 6750 challenge: no credentials → plain challenge; wrong ones → `invalid_token`. */
export const unauthorizedResponse = (reason: Exclude<Authorization, "authorized">): ApiResponse =>
  errorResponse(
    401,
    "unauthorized",
    reason === "missing" ? "missing Authorization: Bearer <api key>" : "the API key is not valid",
    { headers: { "www-authenticate": reason === "missing" ? realm : `${realm}, error="invalid_token"` } },
  )
