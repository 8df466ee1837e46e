import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseListActivitiesQuery } from "../../src/api/QueryParams.ts"

const problem = (query: string) => {
  const parsed = parseListActivitiesQuery(new URLSearchParams(query))
  if (Either.isRight(parsed)) throw new Error(`${query} was accepted`)
  return { param: parsed.left.param, message: parsed.left.message }
}

describe("parseListActivitiesQuery: the 400 names the parameter", () => {
  // Found by test/api/endpointProperties.test.ts: `?=1` answered "unknown query parameter:  (accepted: …)",
  // an error that named nothing.
  it("an empty parameter name is shown quoted", () => {
    expect(problem("=1")).toEqual({
      param: "",
      message: expect.stringMatching(/^unknown query parameter: "" \(accepted: /),
    })
  })

  it("names with spaces, controls or non-ASCII are quoted; plain ones are not", () => {
    expect(problem("%20limit=5").message).toContain('unknown query parameter: " limit"')
    expect(problem("a%00b=1").message).toContain('"a\\u0000b"')
    expect(problem("lïmit=1").message).toContain('"lïmit"')
    expect(problem("cursor=x&fmt=csv").message).toContain("unknown query parameters: cursor, fmt")
  })

  // Found by the same property test: a 20,000-character actor_id went to Okta, whose server could not read
  // the request line; the endpoint answered 502 remote_unavailable after its retries.
  it("a filter value longer than 512 characters is refused, naming it, before any provider is called", () => {
    const id = "7a724634-d842-4704-88c1-6a45c2fc92f5"
    for (const name of ["actor_id", "entity", "entity_type", "ip_address", "organization_id"]) {
      expect(problem(`integrated_account_id=${id}&${name}=${"a".repeat(513)}`)).toEqual({
        param: name,
        message: expect.stringContaining("at most 512 characters"),
      })
    }
    const accepted = parseListActivitiesQuery(
      new URLSearchParams(`integrated_account_id=${id}&actor_id=${"a".repeat(512)}`),
    )
    expect(Either.isRight(accepted)).toBe(true)
  })
})
