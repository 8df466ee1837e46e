import { generateKeyPairSync } from "node:crypto"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { type FilterName, FilterNames } from "../../src/domain/ActivityFilters.ts"
import { isGrant } from "../../src/domain/Credentials.ts"
import { type Integration, IntegrationNames, providers } from "../../src/providers/registry.ts"
import {
  specActionsAccepted,
  specFilterRequired,
  specFilterSupport,
  specIntegrations,
} from "../support/specMatrix.ts"

const expectedFilters = (
  integration: Integration,
  table: { readonly [F in FilterName]?: ReadonlyArray<Integration> },
) => FilterNames.filter((filter) => table[filter]?.includes(integration) ?? false)

const sorted = <A extends string>(values: ReadonlyArray<A>): ReadonlyArray<A> => [...values].sort()

/** Public API roots; undefined where the host is the tenant's own (site, instance, subdomain, org domain). */
const defaultBaseUrls: { readonly [I in Integration]: string | undefined } = {
  asana: "https://app.asana.com",
  atlassian: "https://api.atlassian.com",
  browserstack: "https://api.browserstack.com",
  confluence: undefined,
  dropbox: "https://api.dropboxapi.com",
  figma: "https://api.figma.com",
  github: "https://api.github.com",
  hubspot: "https://api.hubapi.com",
  jira: undefined,
  okta: undefined,
  salesforce: undefined,
  zendesk: undefined,
  zoom: "https://api.zoom.us",
}

/** A real key: the JWT forms' `private_key` is parsed when the credentials are decoded. */
const privateKeyPem = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey

/** One example of every credential form each provider documents, as the credentials table of docs/configuration.md lists them. */
const credentialForms: { readonly [I in Integration]: ReadonlyArray<Readonly<Record<string, string>>> } = {
  asana: [{ access_token: "asana-service-account-pat" }],
  atlassian: [{ access_token: "atlassian-org-api-key" }],
  browserstack: [{ username: "bs-user", access_key: "bs-access-key" }],
  confluence: [
    { email: "admin@example.com", api_token: "atl-api-token" },
    { access_token: "3lo-access-token" },
  ],
  dropbox: [
    { refresh_token: "dbx-refresh", client_id: "dbx-app-key", client_secret: "dbx-app-secret" },
    { access_token: "dbx-team-token" },
  ],
  figma: [
    { refresh_token: "figma-refresh", client_id: "figma-client", client_secret: "figma-secret" },
    { access_token: "figma-oauth-token" },
  ],
  github: [{ access_token: "ghp_token" }],
  hubspot: [
    { refresh_token: "hs-refresh", client_id: "hs-client", client_secret: "hs-secret" },
    { access_token: "pat-na1-private-app-token" },
  ],
  jira: [{ email: "admin@example.com", api_token: "atl-api-token" }, { access_token: "3lo-access-token" }],
  okta: [
    { client_id: "0oa-service-app", private_key: privateKeyPem },
    { client_id: "0oa-service-app", private_key: privateKeyPem, key_id: "key-2026" },
    { api_token: "okta-ssws-token" },
    { access_token: "okta-oauth-token" },
  ],
  salesforce: [
    { refresh_token: "sf-refresh", client_id: "sf-consumer-key", client_secret: "sf-consumer-secret" },
    {
      client_id: "sf-consumer-key",
      username: "integration@example.com",
      private_key: privateKeyPem,
    },
    { client_id: "sf-consumer-key", client_secret: "sf-consumer-secret" },
    { access_token: "00D-session-token" },
  ],
  zendesk: [{ email: "agent@example.com", api_token: "zd-api-token" }, { access_token: "zd-oauth-token" }],
  zoom: [
    { account_id: "zoom-account", client_id: "zoom-client", client_secret: "zoom-secret" },
    { access_token: "zoom-access-token" },
  ],
}

describe("provider capabilities match the spec", () => {
  it("the registry, and the config's integration names, are exactly the spec's integrations", () => {
    expect(sorted(Object.keys(providers))).toEqual(sorted(specIntegrations))
    expect(sorted(IntegrationNames)).toEqual(sorted(specIntegrations))
  })

  describe.each(IntegrationNames)("%s", (integration) => {
    const adapter = providers[integration]

    it("is registered under its own name", () => {
      expect(adapter.integration).toBe(integration)
    })

    it("supports exactly the filters the spec lists for it", () => {
      expect(sorted(adapter.capabilities.filters)).toEqual(
        sorted(expectedFilters(integration, specFilterSupport)),
      )
    })

    it("requires exactly the filters the spec requires of it", () => {
      expect(sorted(adapter.capabilities.requiredFilters)).toEqual(
        sorted(expectedFilters(integration, specFilterRequired)),
      )
    })

    it("restricts `action` exactly as the spec's enum support does", () => {
      const expected = specActionsAccepted[integration]
      if (expected === undefined) {
        expect(adapter.capabilities.actions).toBeUndefined()
      } else {
        expect(sorted(adapter.capabilities.actions ?? [])).toEqual(sorted(expected))
      }
    })

    it("has the provider's public API root as its default base URL, or none for a per-tenant host", () => {
      expect(adapter.defaultBaseUrl).toBe(defaultBaseUrls[integration])
    })

    const decode = Schema.decodeUnknownEither(adapter.credentials)
    const encode = Schema.encodeEither(adapter.credentials)
    const forms = credentialForms[integration]

    it.each(forms)("accepts the documented credential form %o, and encodes back to it", (form) => {
      const decoded = decode(form)
      if (Either.isLeft(decoded)) return expect.unreachable(decoded.left.message)
      expect(encode(decoded.right)).toEqual(Either.right(form))
    })

    it.each(forms)("decodes the form %o to a value whose secrets do not print", (form) => {
      const decoded = Either.getOrThrow(decode(form))
      const printed = `${JSON.stringify(decoded)} ${String(Object.values(decoded))}`
      for (const [key, value] of Object.entries(form)) {
        if (!/token|secret|key/.test(key) || key === "key_id") continue
        expect(printed).not.toContain(value)
      }
    })

    it.each(forms)(
      "declares how the form %o is authorized: sent as is, or exchanged at a token endpoint",
      (form) => {
        const decoded = Either.getOrThrow(decode(form))
        expect(!isGrant(decoded) || adapter.tokenGrant !== undefined).toBe(true)
      },
    )

    it("rejects an empty credentials object", () => {
      expect(Either.isLeft(decode({}))).toBe(true)
    })

    it.each(credentialForms[integration])("rejects the form %o with its values empty", (form) => {
      const emptied = Object.fromEntries(Object.keys(form).map((key) => [key, ""]))
      expect(Either.isLeft(decode(emptied))).toBe(true)
    })
  })
})
