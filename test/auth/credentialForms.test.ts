import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted, Schema } from "effect"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { OktaCredentials } from "../../src/providers/okta/credentials.ts"

const decode = Schema.decodeUnknownEither(OktaCredentials)

const pkcs1 = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey

describe("private_key", () => {
  it("accepts a PKCS#1 RSA key, and one whose newlines are written as \\n", () => {
    for (const pem of [pkcs1, pkcs1.replaceAll("\n", "\\n")]) {
      const decoded = decode({ client_id: "0oa-app", private_key: pem })
      expect(Either.isRight(decoded) && decoded.right._tag).toBe("PrivateKeyJwt")
    }
  })

  it("refuses a key that is not RSA, or not a key, without echoing it", () => {
    const ec = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey
    const truncated = pkcs1.slice(0, 200)
    for (const pem of [ec, truncated, "S3CRET-not-a-key-7f3a9c"]) {
      const result = parseConfig(
        "key.yaml",
        `server:
  api_keys: ["an-api-key-of-sufficient-length"]
  cursor_secret: "a-cursor-secret-that-is-at-least-32-characters"
accounts:
  - id: 9342a527-27bc-4a67-af0d-9837377431f1
    integration: okta
    base_url: https://example.okta.com
    credentials: { client_id: 0oa-app, private_key: "\${KEY}" }
`,
        { KEY: pem },
      )
      if (Either.isRight(result)) return expect.unreachable("the key was accepted")
      expect(result.left.problems).toContain(
        "accounts[0].credentials.private_key: must be a PEM-encoded RSA private key",
      )
      const printed = `${result.left.message}\n${JSON.stringify(result.left)}`
      for (const line of pem.split("\n").filter((l) => l.length > 20)) expect(printed).not.toContain(line)
      expect(printed).not.toContain("7f3a9c")
    }
  })

  it("is held as a Redacted key object", () => {
    const decoded = Either.getOrThrow(decode({ client_id: "0oa-app", private_key: pkcs1 }))
    if (decoded._tag !== "PrivateKeyJwt") return expect.unreachable(decoded._tag)
    expect(String(decoded.privateKey)).toBe("<redacted>")
    expect(Redacted.value(decoded.privateKey).asymmetricKeyType).toBe("rsa")
    expect(JSON.stringify(decoded)).not.toContain(pkcs1.split("\n")[1])
  })
})
