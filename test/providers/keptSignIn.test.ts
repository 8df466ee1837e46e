import { readFileSync } from "node:fs"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { AnyActivityStream, FailedSignIns } from "../../src/providers/ActivityStream.ts"
import { failedSignInOf } from "../../src/providers/failedSignIn.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { providers } from "../../src/providers/registry.ts"

// mapRecord keeps, of each record routing will ask again about, the failed sign-in's details (not its decoded
// record: a weak map's values outlive their keys through V8's young-generation collections). These tests hold
// that what failedSignInOf answers from the kept details is what a fresh decode answers, that the details are
// worked out once per record, and that they are only reused for the stream they were worked out for.

const account: IntegratedAccount = {
  id: "8c0b9a4e-2f7d-4c1e-9a55-3f1e0d6b7a21",
  integration: "okta",
  baseUrl: new URL("https://provider.example"),
  credentials: undefined as never,
  settings: {},
}

const okta = providers.okta.streams[0] as AnyActivityStream
const oktaFacts = okta.failedSignIns as FailedSignIns<unknown>

const fixture = (name: string): unknown =>
  (
    JSON.parse(
      readFileSync(new URL(`../fixtures/okta/failed_sign_in/${name}.json`, import.meta.url), "utf8"),
    ) as { record: unknown }
  ).record

/** Okta's stream with its failed sign-in facts counted: how often a record's details are worked out. */
const counted = () => {
  const calls = { of: 0 }
  const failedSignIns: FailedSignIns<unknown> = {
    actions: oktaFacts.actions,
    of: (record) => {
      calls.of++
      return oktaFacts.of(record)
    },
  }
  return { stream: { ...okta, failedSignIns } as AnyActivityStream, calls }
}

describe("mapRecord's kept failed sign-in details", () => {
  for (const name of ["user.session.start.failure", "user.account.lock", "policy.evaluate_sign_on.deny"]) {
    it(`${name}: failedSignInOf answers from mapRecord's details, worked out once, as a fresh decode does`, () => {
      const { stream, calls } = counted()
      const raw = fixture(name)
      const activity = Either.getOrThrow(mapRecord(stream, account, raw))
      expect(calls.of).toBe(1)
      const kept = failedSignInOf(stream, activity, raw)
      expect(calls.of).toBe(1)
      // A copy of the record was never mapped: its details come from a decode of their own.
      const fresh = failedSignInOf(okta, activity, structuredClone(raw))
      expect(fresh).not.toBeUndefined()
      expect(kept).toEqual(fresh)
    })
  }

  it("details kept for one stream are not answered for another stream's facts", () => {
    const first = counted()
    const second = counted()
    const raw = fixture("user.session.start.failure")
    const activity = Either.getOrThrow(mapRecord(first.stream, account, raw))
    failedSignInOf(second.stream, activity, raw)
    expect(second.calls.of).toBe(1)
    failedSignInOf(first.stream, activity, raw)
    expect(first.calls.of).toBe(1)
  })
})
