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
    expect(problem("cursor=x&format=csv").message).toContain("unknown query parameters: cursor, format")
  })
})
