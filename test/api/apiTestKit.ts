import { randomBytes, randomUUID } from "node:crypto"
import { Context, Effect, Either, HashMap, Layer, Logger } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { RequestsInFlight } from "../../src/api/RequestsInFlight.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { type Integration, IntegrationNames, providers } from "../../src/providers/registry.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { simulators as simulatorRegistry } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { testProviderClients } from "../support/providerClients.ts"

/** Credential forms the integrations without a simulator accept (their credentials schemas); never sent anywhere. */
const placeholderCredentials = (integration: Integration): Record<string, string> =>
  integration === "browserstack"
    ? { username: "api-test", access_key: "not-a-real-key" }
    : { access_token: "not-a-real-token" }

/** The simulator's account settings beyond `organization_id`, which the config takes as a key of its own. */
const accountSettings = (simulator: ProviderSimulator | undefined) => {
  const { organization_id: _, ...settings } = simulator?.settings ?? {}
  return Object.keys(settings).length === 0 ? {} : { settings }
}

/** No provider listens here: the pending adapters (no simulator) answer 501 before any request. */
const unusedBaseUrl = "http://127.0.0.1:9"

export interface LogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

export interface TestApi {
  readonly url: string
  /** The management listener: /healthz, /readyz, /metrics, /docs. */
  readonly managementUrl: string
  readonly apiKey: string
  /** One account per integration, by integration name. */
  readonly accountOf: { readonly [I in Integration]: string }
  /** A second Okta account on the same simulator, for cursors replayed across accounts. */
  readonly otherOktaAccount: string
  /** An Okta account whose api_token the simulator refuses. */
  readonly badCredentialsAccount: string
  /** An Okta account kept for rate-limit tests (the client remembers a quota per account). */
  readonly throttledAccount: string
  /** An Okta account with `enabled: false`. */
  readonly disabledAccount: string
  /** The organization the asana/github accounts are configured for. */
  readonly organizationOf: (integration: Integration) => string | undefined
  /** Whether the integration has a simulator we run (its adapter is built) or is still pending (answers 501). */
  readonly simulated: (integration: Integration) => boolean
  readonly okta: OktaSimulatorHandle
  readonly logs: () => ReadonlyArray<LogLine>
}

export class TestApiServer extends Context.Tag("TestApiServer")<TestApiServer, TestApi>() {}

const configuredOrganization = "org-under-test"

/**
 * A real API server on an ephemeral port, configured from YAML through `parseConfig` with one account per
 * integration: those with a simulator (src/simulators/registry.ts) point at it (Okta always), the others are pending.
 */
export const testApiLayer = Layer.scoped(
  TestApiServer,
  Effect.gen(function* () {
    const okta = yield* startOktaSimulator({ seed: 7, historySize: 30, rateLimit: 10_000 })
    // A first Zoom read walks six months of report windows per stream: more than Zoom's 10 requests a second,
    // which this kit's half-second rate-limit wait would hand back as 429s.
    const zoom = yield* startZoomSimulator({ seed: 7, requestsPerSecond: 10_000 })
    const simulators = new Map<Integration, ProviderSimulator>([
      ["okta", okta],
      ["zoom", zoom],
    ])
    for (const integration of IntegrationNames) {
      const start = simulatorRegistry[integration]
      if (!simulators.has(integration) && start !== undefined)
        simulators.set(integration, yield* start({ seed: 7 }))
    }

    const apiKey = randomBytes(24).toString("base64url")
    const accountOf = Object.fromEntries(IntegrationNames.map((i) => [i, randomUUID()])) as {
      [I in Integration]: string
    }
    const otherOktaAccount = randomUUID()
    const badCredentialsAccount = randomUUID()
    const throttledAccount = randomUUID()
    const disabledAccount = randomUUID()
    const organizationOf = (integration: Integration) =>
      providers[integration].capabilities.filters.includes("organization_id") ||
      providers[integration].requiresOrganizationId === true
        ? (simulators.get(integration)?.settings.organization_id ?? configuredOrganization)
        : undefined

    const accounts = [
      ...IntegrationNames.map((integration) => {
        const simulator = simulators.get(integration)
        const organization = organizationOf(integration)
        return {
          id: accountOf[integration],
          integration,
          base_url: simulator?.baseUrl ?? unusedBaseUrl,
          credentials: simulator?.credentials ?? placeholderCredentials(integration),
          ...accountSettings(simulator),
          ...(organization === undefined ? {} : { organization_id: organization }),
        }
      }),
      { id: otherOktaAccount, integration: "okta", base_url: okta.baseUrl, credentials: okta.credentials },
      {
        id: badCredentialsAccount,
        integration: "okta",
        base_url: okta.baseUrl,
        credentials: { api_token: "00wrong" },
      },
      { id: throttledAccount, integration: "okta", base_url: okta.baseUrl, credentials: okta.credentials },
      {
        id: disabledAccount,
        integration: "okta",
        base_url: okta.baseUrl,
        credentials: okta.credentials,
        enabled: false,
      },
    ]
    const yaml = stringify({
      server: {
        host: "127.0.0.1",
        port: 0,
        management: { port: 0 },
        api_keys: [randomBytes(24).toString("base64url"), apiKey],
        cursor_secret: randomBytes(32).toString("base64url"),
      },
      accounts,
    })
    const loaded = parseConfig("api-test.yaml", yaml, {})
    if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))

    const lines: LogLine[] = []
    const captureLogs = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message, annotations }) => {
        lines.push({
          level: logLevel.label,
          message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
          annotations: Object.fromEntries(HashMap.toEntries(annotations)),
        })
      }),
    )

    const dependencies = Layer.mergeAll(
      Config.layer(loaded.right),
      CursorCodec.layer(loaded.right.config.server.cursor_secret),
      RequestsInFlight.Default,
      // Quick retries; a rate limit further away than half a second is handed back to the client.
      testProviderClients({
        maxRetries: 1,
        maxRateLimitWait: "500 millis",
        requestTimeout: "5 seconds",
      }),
      captureLogs,
    )
    const server = yield* Layer.build(Layer.provide(ApiServer.layer, dependencies))
    return {
      url: Context.get(server, ApiServer).url,
      managementUrl: Context.get(server, ApiServer).managementUrl,
      apiKey,
      accountOf,
      otherOktaAccount,
      badCredentialsAccount,
      throttledAccount,
      disabledAccount,
      organizationOf,
      simulated: (integration: Integration) => simulators.has(integration),
      okta,
      logs: () => [...lines],
    } satisfies TestApi
  }),
)

export interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

/**
 * A GET with node's fetch. `params` as a record is encoded; as a string it is sent as the raw query string.
 * `auth` defaults to the valid key; `false` sends no Authorization header.
 */
export const get = (
  api: TestApi,
  path: string,
  params: Readonly<Record<string, string>> | string = {},
  options: { readonly auth?: string | false; readonly method?: string } = {},
) =>
  Effect.promise(async (): Promise<Answer> => {
    const url = new URL(path, api.url)
    if (typeof params === "string") url.search = params
    else for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value)
    const auth = options.auth === undefined ? `Bearer ${api.apiKey}` : options.auth
    const response = await fetch(url, {
      method: options.method ?? "GET",
      headers: auth === false ? {} : { authorization: auth },
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text),
    }
  })

export const activitiesPath = "/unified/user-directory/activities"

export const listActivities = (api: TestApi, params: Record<string, string>) =>
  get(api, activitiesPath, params)
