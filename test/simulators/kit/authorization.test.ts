import { describe, expect, it } from "vitest"
import {
  basicCredentials,
  credentialsUnder,
  hasCredential,
  newSecret,
  parseAuthorization,
} from "../../../src/simulators/kit/authorization.ts"

describe("simulator authorization helpers", () => {
  it("split the header into scheme and credentials", () => {
    expect(parseAuthorization("SSWS 00abc")).toEqual({ scheme: "SSWS", credentials: "00abc" })
    expect(parseAuthorization(undefined)).toEqual({ scheme: undefined, credentials: "" })
    expect(parseAuthorization("  ")).toEqual({ scheme: undefined, credentials: "" })
    expect(parseAuthorization("Bearer")).toEqual({ scheme: "Bearer", credentials: "" })
  })

  it("check Bearer and SSWS credentials, the scheme case-insensitively", () => {
    const bearer = parseAuthorization("bearer tok-1")
    expect(hasCredential(bearer, "Bearer", "tok-1")).toBe(true)
    expect(hasCredential(bearer, "Bearer", "tok-2")).toBe(false)
    expect(hasCredential(bearer, "SSWS", "tok-1")).toBe(false)
    expect(credentialsUnder(bearer, "Bearer")).toBe("tok-1")
    // An empty credential never matches, even an empty secret.
    expect(hasCredential(parseAuthorization("SSWS "), "SSWS", "")).toBe(false)
  })

  it("decode Basic credentials into user id and password", () => {
    const encoded = Buffer.from("client-id:pa:ss").toString("base64")
    expect(basicCredentials(parseAuthorization(`Basic ${encoded}`))).toEqual({
      userId: "client-id",
      password: "pa:ss",
    })
    expect(basicCredentials(parseAuthorization(`Basic ${Buffer.from("no-colon").toString("base64")}`))).toBe(
      undefined,
    )
    expect(basicCredentials(parseAuthorization("Bearer x"))).toBe(undefined)
  })

  it("new secrets are fresh", () => {
    expect(newSecret(16)).toMatch(/^[\w-]{22}$/)
    expect(newSecret(16)).not.toBe(newSecret(16))
  })
})
