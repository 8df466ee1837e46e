import { createServer } from "node:http"
import { Effect } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { ProviderError } from "../../../src/http/ProviderError.ts"
import { okta } from "../../../src/providers/okta/index.ts"
import type { OktaPosition } from "../../../src/providers/okta/OktaPosition.ts"
import { systemLog } from "../../../src/providers/okta/streams/systemLog.ts"
import type { ProviderServices } from "../../../src/providers/ProviderAdapter.ts"
import { readStreamPage, type StreamPage, type StreamPageRequest } from "../../../src/providers/readStream.ts"
import {
  type OktaSimulatorHandle,
  type OktaSimulatorOptions,
  startOktaSimulator,
} from "../../../src/simulators/okta/OktaSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn } from "../../support/readAccountToEnd.ts"

/** Real HTTP through the project's client, with quick backoff so retry tests stay short. */
export const HttpLive = ProviderClientsTest

type Page<Position> = StreamPage<Position>

/** One page of Okta's one stream, through the shared stream reader. */
export const fetchPage = (request: StreamPageRequest<OktaPosition>) =>
  readStreamPage(okta, systemLog, request) as Effect.Effect<
    Page<OktaPosition>,
    ProviderError,
    ProviderServices
  >

export const simulator = (options: OktaSimulatorOptions = {}) => startOktaSimulator({ seed: 42, ...options })

/** An account on the simulator; `credentials` in the config's form, decoded as config load does. */
export const accountFor = (sim: OktaSimulatorHandle, credentials: Record<string, string> = sim.credentials) =>
  accountOn(okta, sim, { credentials })

export const uuidsOf = (records: ReadonlyArray<unknown>) =>
  records.map((record) => (record as { uuid: string }).uuid)

/** Follows pages until the adapter says it is caught up; every page is returned for inspection. */
export const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from?: OktaPosition,
) =>
  Effect.gen(function* () {
    const pages: Array<Page<OktaPosition>> = []
    let position = from
    for (let i = 0; i < 100; i++) {
      const page = yield* fetchPage({ account, filters, position, limit })
      pages.push(page)
      position = page.next
      if (!page.hasMore) break
    }
    return { pages, records: pages.flatMap((page) => page.records), last: pages.at(-1) as Page<OktaPosition> }
  })

/** A second local server standing in for a foreign host: it only counts what reaches it. */
export const foreignHost = Effect.acquireRelease(
  Effect.async<{ origin: string; host: string; hits: () => number; close: () => void }>((resume) => {
    let hits = 0
    const server = createServer((_req, res) => {
      hits++
      res.end("[]")
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address ? address.port : 0
      resume(
        Effect.succeed({
          origin: `http://127.0.0.1:${port}`,
          host: `127.0.0.1:${port}`,
          hits: () => hits,
          close: () => {
            server.closeAllConnections()
            server.close()
          },
        }),
      )
    })
  }),
  (foreign) => Effect.sync(foreign.close),
)
