import { describe, expect, it } from "@effect/vitest"
import { nextLink } from "../../../src/providers/paging/nextLink.ts"

describe("nextLink", () => {
  const self = '<https://acme.okta.com/api/v1/logs?limit=2>; rel="self"'
  const next = '<https://acme.okta.com/api/v1/logs?limit=2&after=1716_2>; rel="next"'

  it("reads next from separate link headers, as Okta sends them", () => {
    expect(nextLink([self, next])).toBe("https://acme.okta.com/api/v1/logs?limit=2&after=1716_2")
  })
  it("reads next from one folded header", () => {
    expect(nextLink(`${self}, ${next}`)).toBe("https://acme.okta.com/api/v1/logs?limit=2&after=1716_2")
  })
  it("accepts an unquoted rel and a rel list", () => {
    expect(nextLink("<https://a/x?p=1,2>; rel=next")).toBe("https://a/x?p=1,2")
    expect(nextLink('<https://a/y>; title="z"; rel="prev next"')).toBe("https://a/y")
  })
  it("is undefined when there is only self, or no header", () => {
    expect(nextLink(self)).toBeUndefined()
    expect(nextLink(undefined)).toBeUndefined()
  })
})
