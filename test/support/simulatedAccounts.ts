import { randomBytes, randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { stringify } from "yaml"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import type { ProviderSimulator, SimulatorOptions } from "../../src/simulators/ProviderSimulator.ts"
import { simulators as simulatorRegistry } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"

export interface SimulatedAccount {
  readonly id: string
  readonly integration: Integration
  readonly simulator: ProviderSimulator
  /** The config entry: base URL, credentials, settings. */
  readonly entry: Record<string, unknown>
}

/** One simulator and one account on it for each of `integrations` (default: every simulated integration). */
export const startSimulatedAccounts = (
  options: SimulatorOptions,
  integrations: ReadonlyArray<Integration> = Object.keys(simulatorRegistry) as Integration[],
) =>
  Effect.forEach(integrations, (integration) =>
    Effect.gen(function* () {
      const start = simulatorRegistry[integration]
      if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
      const simulator = yield* start(options)
      const id = randomUUID()
      return { id, integration, simulator, entry: simulatedAccount(simulator, id) } satisfies SimulatedAccount
    }),
  )

export const testApiKey = "command-test-api-key-0123456789abcdef"

/**
 * A config file for `accounts`, both listeners on free loopback ports (the process logs which), and
 * whatever else `extra` sets at the top level (kafka, poll…).
 */
export const writeConfig = (
  dir: string,
  name: string,
  accounts: ReadonlyArray<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
) => {
  const file = join(dir, `${name}.yaml`)
  const { server, ...rest } = extra
  writeFileSync(
    file,
    stringify({
      server: {
        host: "127.0.0.1",
        port: 0,
        management: { port: 0 },
        api_keys: [testApiKey],
        cursor_secret: randomBytes(32).toString("base64url"),
        ...(server as object | undefined),
      },
      ...rest,
      accounts,
    }),
  )
  return file
}

export interface Page {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ readonly id: string; readonly action: string }>
    readonly next_cursor?: string | null
    readonly error?: { readonly code: string; readonly message: string }
  }
}

/** One request to the List Activities endpoint of a running command. */
export const listPage = async (apiUrl: string, query: Record<string, string>): Promise<Page> => {
  const response = await fetch(`${apiUrl}/unified/user-directory/activities?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${testApiKey}` },
  })
  return { status: response.status, body: (await response.json()) as Page["body"] }
}

/** The account's query: its id, and its organization where the integration requires that filter. */
export const accountQuery = (account: SimulatedAccount): Record<string, string> => {
  const organization = account.entry.organization_id
  const required = providers[account.integration].capabilities.requiredFilters.includes("organization_id")
  return {
    integrated_account_id: account.id,
    ...(required && typeof organization === "string" ? { organization_id: organization } : {}),
  }
}

/** Every page of an account, following next_cursor to its end. Fails on any page that is not a 200. */
export const pageToEnd = async (apiUrl: string, account: SimulatedAccount, limit: number) => {
  const pages: Array<Page["body"]> = []
  let cursor: string | undefined
  do {
    const page = await listPage(apiUrl, {
      ...accountQuery(account),
      limit: String(limit),
      ...(cursor === undefined ? {} : { next_cursor: cursor }),
    })
    if (page.status !== 200)
      throw new Error(
        `${account.integration}: page ${pages.length + 1} answered ${page.status} ${JSON.stringify(page.body)}`,
      )
    pages.push(page.body)
    cursor = page.body.next_cursor ?? undefined
  } while (cursor !== undefined && pages.length < 500)
  return pages
}

/**
 * The integration's simulator, for tests that read every integration through its adapter without a pipeline
 * pacing them: Zoom's per-second limit is lifted, since a first read walks six months of report windows.
 */
export const startSimulatorFor = (
  integration: Integration,
  options: { seed: number; historySize: number },
) => {
  if (integration === "zoom") return startZoomSimulator({ ...options, requestsPerSecond: 10_000 })
  const start = simulatorRegistry[integration]
  if (start === undefined) return Effect.dieMessage(`no simulator for ${integration}`)
  return start(options)
}
