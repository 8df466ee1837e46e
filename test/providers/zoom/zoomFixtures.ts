import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Either, Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { ZoomActivityLog, ZoomActivityLogsPage } from "../../../src/providers/zoom/ZoomActivityLog.ts"
import { ZoomOperationLog, ZoomOperationLogsPage } from "../../../src/providers/zoom/ZoomOperationLog.ts"

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/zoom", path), "utf8"))

/** The raw rows of an activities fixture page, as Zoom sent them, and decoded. */
export const activityFixture = (name: string) => {
  const page = Schema.decodeUnknownSync(ZoomActivityLogsPage)(fixture(`activities/${name}`))
  return page.activity_logs.map((raw) => ({
    raw,
    row: Either.getOrThrow(Schema.decodeUnknownEither(ZoomActivityLog)(raw)),
  }))
}

export const operationFixture = (name: string) => {
  const page = Schema.decodeUnknownSync(ZoomOperationLogsPage)(fixture(`operation_logs/${name}`))
  return page.operation_logs.map((raw) => ({
    raw,
    row: Either.getOrThrow(Schema.decodeUnknownEither(ZoomOperationLog)(raw)),
  }))
}

export const zoomAccount: IntegratedAccount = {
  id: "zoom-fixture-account",
  integration: "zoom",
  baseUrl: new URL("https://api.zoom.us"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}
