import { randomBytes, randomUUID } from "node:crypto"
import { expect } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { RequestsInFlight } from "../../src/api/RequestsInFlight.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { testProviderClients } from "../support/providerClients.ts"

/**
 * The List Activities endpoint over real HTTP for the given accounts (entries of the config's `accounts`, as a
 * user writes them). `list` asks the endpoint with the given query parameters and the API key; `url`,
 * `managementUrl` and `apiKey` are there for requests of one's own, `requestsInFlight` is the API listener's count.
 */
export const apiOverAccounts = <Body>(
  accounts: ReadonlyArray<Readonly<Record<string, unknown>>>,
  clientOptions: Parameters<typeof testProviderClients>[0] = {},
) =>
  Effect.gen(function* () {
    const apiKey = randomBytes(24).toString("base64url")
    const yaml = stringify({
      server: {
        host: "127.0.0.1",
        port: 0,
        management: { port: 0 },
        api_keys: [apiKey],
        cursor_secret: randomBytes(32).toString("base64url"),
      },
      accounts,
    })
    const loaded = Either.getOrThrow(parseConfig("accounts.yaml", yaml, {}))
    const server = yield* Layer.build(
      Layer.provideMerge(
        ApiServer.layer,
        Layer.mergeAll(
          Config.layer(loaded),
          CursorCodec.layer(loaded.config.server.cursor_secret),
          RequestsInFlight.Default,
          testProviderClients({ maxRetries: 1, ...clientOptions }),
        ),
      ),
    )
    const { url, managementUrl } = Context.get(server, ApiServer)
    const list = (params: Record<string, string>) =>
      Effect.promise(async (): Promise<{ readonly status: number; readonly body: Body }> => {
        const response = await fetch(
          new URL(`/unified/user-directory/activities?${new URLSearchParams(params)}`, url),
          { headers: { authorization: `Bearer ${apiKey}` } },
        )
        return { status: response.status, body: (await response.json()) as Body }
      })
    return { list, url, managementUrl, apiKey, requestsInFlight: Context.get(server, RequestsInFlight) }
  })

/**
 * The endpoint for two accounts of one simulated provider: `good` with the simulator's credentials and
 * settings, `refused` with credentials the provider turns down.
 */
export const apiOverSimulator = <Body>(
  sim: ProviderSimulator,
  refusedCredentials: Readonly<Record<string, string>>,
) =>
  Effect.gen(function* () {
    const good = randomUUID()
    const refused = randomUUID()
    // An organization the simulator names is the account's top-level `organization_id`, as the config has it.
    const { organization_id, ...settings } = sim.settings
    const organization = organization_id === undefined ? {} : { organization_id }
    const account = { integration: sim.integration, base_url: sim.baseUrl, ...organization, settings }
    const { list } = yield* apiOverAccounts<Body>([
      { id: good, ...account, credentials: sim.credentials },
      { id: refused, ...account, credentials: refusedCredentials },
    ])
    return { good, refused, list }
  })

interface ListAnswer<A> {
  readonly status: number
  readonly body: { readonly result?: ReadonlyArray<A>; readonly next_cursor?: string | null }
}

/**
 * Every activity of a listing, page by page by `next_cursor` until it is null: each page must answer 200
 * with at most `limit` activities, and the last one within `maxPages`.
 */
export const listAll = <A>(
  list: (params: Record<string, string>) => Effect.Effect<ListAnswer<A>>,
  params: Record<string, string>,
  { limit = 10, maxPages = 30 }: { readonly limit?: number; readonly maxPages?: number } = {},
) =>
  Effect.gen(function* () {
    const found: A[] = []
    let cursor: string | null | undefined
    for (let page = 0; page < maxPages && cursor !== null; page++) {
      const answer = yield* list({
        ...params,
        limit: String(limit),
        ...(cursor ? { next_cursor: cursor } : {}),
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      expect((answer.body.result ?? []).length).toBeLessThanOrEqual(limit)
      found.push(...(answer.body.result ?? []))
      cursor = answer.body.next_cursor
    }
    expect(cursor, `no last page within ${maxPages} pages`).toBeNull()
    return found
  })
