import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { makeCursorCodec } from "../../src/cursor/CursorCodec.ts"

// The sealed form of a next_cursor is a contract with every client holding one: a cursor issued before a
// change to the codec must still open after it, and the other way round for a rollback. The reference below
// seals and opens as the codec always has (AES-256-GCM under SHA-256 of the secret, iv ‖ ciphertext ‖ tag).

const secret = "a-cursor-secret-of-at-least-32-characters"
const referenceKey = createHash("sha256").update(`siem-connector/next_cursor/v1\0${secret}`).digest()
const aad = Buffer.from("next_cursor.v1")

const referenceSeal = (payload: unknown) => {
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", referenceKey, iv).setAAD(aad)
  const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()])
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url")
}

const referenceOpen = (cursor: string) => {
  const raw = Buffer.from(cursor, "base64url")
  const decipher = createDecipheriv("aes-256-gcm", referenceKey, raw.subarray(0, 12)).setAAD(aad)
  decipher.setAuthTag(raw.subarray(raw.length - 16))
  const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()])
  return JSON.parse(text.toString("utf8")) as { a: string; p: unknown; q: unknown }
}

describe("next_cursor sealing", () => {
  const account = "00eb5ac2-c14a-40f3-80d1-5289533f2c8f"
  const filters = { action: "login_failed" } as const
  const position = { after: "1234567890abcdef", since: "2026-01-01T00:00:00.000Z" }

  it("opens a cursor sealed as earlier releases sealed it", () => {
    const codec = makeCursorCodec(secret)
    const digest = createHash("sha256")
      .update(JSON.stringify([["action", "login_failed"]]))
      .digest("base64url")
      .slice(0, 22)
    const earlier = referenceSeal({ v: 1, a: account, f: digest, p: position, q: filters })
    expect(Either.getOrThrow(codec.decode(earlier, account, filters))).toEqual(position)
  })

  it("seals cursors an earlier release opens", () => {
    const opened = referenceOpen(makeCursorCodec(secret).encode(account, filters, position))
    expect(opened).toMatchObject({ a: account, p: position, q: filters })
  })

  it("refuses a cursor sealed under another secret", () => {
    const other = makeCursorCodec(`${secret}-other`).encode(account, filters, position)
    expect(Either.isLeft(makeCursorCodec(secret).decode(other, account, filters))).toBe(true)
  })
})
