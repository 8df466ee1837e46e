import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { confluence } from "../../../src/providers/confluence/index.ts"
import { jira } from "../../../src/providers/jira/index.ts"
import { resolveCall } from "../../../src/providers/ProviderCall.ts"

const account = (integration: "jira" | "confluence", baseUrl: string): IntegratedAccount => ({
  id: "a",
  integration,
  baseUrl: new URL(baseUrl),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
})
const query = { filters: {}, limit: 10, from: 0, to: 1_000, now: 1_000 }

describe("Jira and Confluence requests on the site or the OAuth gateway", () => {
  it.each([
    ["jira", jira, "https://acme.atlassian.net", "/rest/api/3/auditing/record"],
    ["jira", jira, "https://api.atlassian.com/ex/jira/3f2b", "/ex/jira/3f2b/rest/api/3/auditing/record"],
    ["confluence", confluence, "https://acme.atlassian.net", "/wiki/rest/api/audit"],
    [
      "confluence",
      confluence,
      "https://api.atlassian.com/ex/confluence/3f2b",
      "/ex/confluence/3f2b/wiki/rest/api/audit",
    ],
  ] as const)("%s at %s asks %s, and no other path", (integration, adapter, base, pathname) => {
    const [stream] = adapter.streams
    const url = Either.getOrThrow(
      resolveCall(account(integration, base), stream.paging.first(query), stream.paths),
    )
    expect(url.pathname).toBe(pathname)
    expect(url.origin).toBe(new URL(base).origin)
    expect(
      Either.isLeft(resolveCall(account(integration, base), { target: "/rest/api/3/user" }, stream.paths)),
    ).toBe(true)
  })
})
