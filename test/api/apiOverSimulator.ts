import { randomBytes, randomUUID } from "node:crypto"
import { Context, Effect, Either, Layer } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { testProviderClients } from "../support/providerClients.ts"

/**
 * The List Activities endpoint over real HTTP for two accounts of one simulated provider: `good` with the
 * simulator's credentials and settings, `refused` with credentials the provider turns down. `list` asks the
 * endpoint with the given query parameters and the API key.
 */
export const apiOverSimulator = <Body>(
  sim: ProviderSimulator,
  refusedCredentials: Readonly<Record<string, string>>,
) =>
  Effect.gen(function* () {
    const apiKey = randomBytes(24).toString("base64url")
    const good = randomUUID()
    const refused = randomUUID()
    // An organization the simulator names is the account's top-level `organization_id`, as the config has it.
    const { organization_id, ...settings } = sim.settings
    const organization = organization_id === undefined ? {} : { organization_id }
    const yaml = stringify({
      server: {
        host: "127.0.0.1",
        port: 0,
        management: { port: 0 },
        api_keys: [apiKey],
        cursor_secret: randomBytes(32).toString("base64url"),
      },
      accounts: [
        {
          id: good,
          integration: sim.integration,
          base_url: sim.baseUrl,
          credentials: sim.credentials,
          ...organization,
          settings,
        },
        {
          id: refused,
          integration: sim.integration,
          base_url: sim.baseUrl,
          credentials: refusedCredentials,
          ...organization,
          settings,
        },
      ],
    })
    const loaded = Either.getOrThrow(parseConfig(`${sim.integration}.yaml`, yaml, {}))
    const server = yield* Layer.build(
      Layer.provide(
        ApiServer.layer,
        Layer.mergeAll(
          Config.layer(loaded),
          CursorCodec.layer(loaded.config.server.cursor_secret),
          testProviderClients({ maxRetries: 1 }),
        ),
      ),
    )
    const url = Context.get(server, ApiServer).url
    const list = (params: Record<string, string>) =>
      Effect.promise(async (): Promise<{ readonly status: number; readonly body: Body }> => {
        const response = await fetch(
          new URL(`/unified/user-directory/activities?${new URLSearchParams(params)}`, url),
          { headers: { authorization: `Bearer ${apiKey}` } },
        )
        return { status: response.status, body: (await response.json()) as Body }
      })
    return { good, refused, list }
  })
