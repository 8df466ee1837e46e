import { randomBytes } from "node:crypto"
import { Either, Option, Redacted, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  CredentialsStoreKey,
  chooseRefreshToken,
  openRefreshToken,
  SealedRefreshToken,
  sealRefreshToken,
} from "../../src/auth/sealedRefreshToken.ts"

const newKey = () => Schema.decodeSync(CredentialsStoreKey)(randomBytes(32).toString("base64"))
const account = "5f0c1a4e-8a2b-4c1d-9e3f-0a1b2c3d4e5f"
const configured = Redacted.make(`5Aep861${randomBytes(30).toString("hex")}`)
const rotated = Redacted.make(`5Aep861${randomBytes(30).toString("hex")}`)

describe("credentials_store.key", () => {
  it("takes 32 bytes of base64 and refuses anything else without echoing it", () => {
    expect(Redacted.value(newKey()).length).toBe(32)
    for (const bad of [randomBytes(16).toString("base64"), "not base64 at all!", ""]) {
      const decoded = Schema.decodeUnknownEither(CredentialsStoreKey)(bad)
      expect(Either.isLeft(decoded)).toBe(true)
      if (Either.isLeft(decoded)) {
        expect(decoded.left.message).toContain("must be 32 bytes, base64")
        if (bad !== "") expect(decoded.left.message).not.toContain(bad)
      }
    }
  })
})

describe("a sealed refresh token", () => {
  it("is ciphertext only: neither token appears in the record, and it opens under its key and account", () => {
    const key = newKey()
    const value = sealRefreshToken(key, account, configured, rotated)
    expect(value).not.toContain(Redacted.value(rotated))
    expect(value).not.toContain(Redacted.value(configured))
    expect(Buffer.from(value).includes(Buffer.from(Redacted.value(rotated)))).toBe(false)
    const record = Schema.decodeUnknownSync(Schema.parseJson(SealedRefreshToken))(value)
    expect(Object.keys(record).sort()).toEqual(["ciphertext", "configured_mac", "iv", "tag", "version"])
    const opened = openRefreshToken(key, account, configured, value)
    expect(Either.map(opened, Redacted.value)).toEqual(Either.right(Redacted.value(rotated)))
  })

  it("two seals of one token differ (a fresh IV each)", () => {
    const key = newKey()
    expect(sealRefreshToken(key, account, configured, rotated)).not.toBe(
      sealRefreshToken(key, account, configured, rotated),
    )
  })

  it("does not open under another key, for another account, or when tampered with", () => {
    const key = newKey()
    const value = sealRefreshToken(key, account, configured, rotated)
    expect(openRefreshToken(newKey(), account, configured, value)).toEqual(Either.left("other-key"))
    expect(openRefreshToken(key, "another-account", configured, value)).toEqual(Either.left("other-key"))
    const record = JSON.parse(value) as Record<string, string>
    const flipped = Buffer.from(record.ciphertext ?? "", "base64url")
    flipped[0] = (flipped[0] ?? 0) ^ 1
    const tampered = JSON.stringify({ ...record, ciphertext: flipped.toString("base64url") })
    expect(openRefreshToken(key, account, configured, tampered)).toEqual(Either.left("other-key"))
    expect(openRefreshToken(key, account, configured, "{}")).toEqual(Either.left("unreadable"))
  })
})

describe("which refresh token is sent", () => {
  const key = newKey()
  const stored = Option.some(sealRefreshToken(key, account, configured, rotated))
  const sent = (choice: { token: Redacted.Redacted<string> }) => Redacted.value(choice.token)

  it("the stored one, when it was rotated from the token in the config now", () => {
    const choice = chooseRefreshToken(key, account, configured, stored)
    expect(sent(choice)).toBe(Redacted.value(rotated))
    expect(choice.passedOver).toBeUndefined()
  })

  it("the configured one when the operator put a fresh token in the config", () => {
    const fresh = Redacted.make(`5Aep861${randomBytes(30).toString("hex")}`)
    const choice = chooseRefreshToken(key, account, fresh, stored)
    expect(sent(choice)).toBe(Redacted.value(fresh))
    expect(choice.passedOver).toBe("other-configured-token")
  })

  it("the configured one when nothing is stored, or the store key was replaced", () => {
    expect(sent(chooseRefreshToken(key, account, configured, Option.none()))).toBe(Redacted.value(configured))
    const other = chooseRefreshToken(newKey(), account, configured, stored)
    expect(sent(other)).toBe(Redacted.value(configured))
    expect(other.passedOver).toBe("other-key")
  })
})
