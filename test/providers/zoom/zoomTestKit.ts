import { Either } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { StreamPositions } from "../../../src/providers/pageAccount.ts"
import { zoom } from "../../../src/providers/zoom/index.ts"
import { startZoomSimulator, type ZoomSimulatorHandle } from "../../../src/simulators/zoom/ZoomSimulator.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

/** A quota generous enough for reads of many windows; the 429 test forces its own. */
export const simulator = (historySize = 40) =>
  startZoomSimulator({ seed: 5, historySize, requestsPerSecond: 1_000 })

export type Report = "activities" | "operation_logs"

/** The report requests the simulator received (its token endpoint shares the server). */
export const reportRequests = (sim: ZoomSimulatorHandle) =>
  sim.requests().filter((request) => request.path.startsWith("/v2/report/"))

export const rowsOf = (sim: ZoomSimulatorHandle, report: Report) =>
  report === "activities" ? sim.activityLogs() : sim.operationLogs()

const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")
let emitted = 0

/** `count` sign-in rows all stamped with the same second, `at`, as Zoom would list several at one instant. */
export const emitAt = (sim: ZoomSimulatorHandle, count: number, at: number) =>
  Array.from({ length: count }, () => {
    const n = ++emitted
    const row = {
      email: `burst${n}@example.com`,
      time: second(at),
      type: n % 2 === 0 ? "Sign out" : "Sign in",
      ip_address: `198.51.100.${n % 250}`,
      client_type: "Browser",
      version: "-",
    }
    sim.inject("activities", row, at)
    return row
  })

/** `count` operation-log rows stamped `at`. */
export const emitOperations = (sim: ZoomSimulatorHandle, count: number, at: number) =>
  Array.from({ length: count }, () => {
    const n = ++emitted
    const row = {
      time: second(at),
      operator: "admin@example.com",
      category_type: "User",
      action: "Update",
      operation_detail: `Deactivate User op${n}@example.com `,
    }
    sim.inject("operation_logs", row, at)
    return row
  })

export const accountFor = (sim: ZoomSimulatorHandle, credentials: Record<string, string> = sim.credentials) =>
  accountOn(zoom, sim, { credentials })

/** Pages the account through the shared page loop until caught up; every page is returned. */
export const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) => readAccountToEnd(zoom, account, filters, limit, from)

/** The synthetic ids the mapping gives the simulator's rows, oldest first (stable for rows of one second). */
export const expectedIds = (
  sim: ZoomSimulatorHandle,
  account: IntegratedAccount,
  report: "activities" | "operation_logs",
) => {
  const stream = zoom.streams[report === "activities" ? 0 : 1]
  return rowsOf(sim, report)
    .map((row) => Either.getOrThrow(stream.toActivity(row as never, account)))
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
}
