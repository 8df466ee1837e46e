import { describe, expect, it } from "vitest"
import { rewriteSpecifiers } from "../../scripts/fixMovedImports.ts"

describe("scripts/fixMovedImports.ts", () => {
  const moves = new Map([
    ["src/providers/okta/systemLog.ts", "src/providers/okta/streams/systemLog.ts"],
    ["src/providers/okta/OktaCredentials.ts", "src/providers/okta/credentials.ts"],
  ])

  it("rewrites a moved file's imports, written at its old place, to where their targets are now", () => {
    const written = [
      'import type { ActivityStream } from "../ActivityStream.ts"',
      'import { toActivity } from "./toActivity.ts"',
      'import { OktaCredentials } from "./OktaCredentials.ts"',
      'import { Effect } from "effect"',
    ].join("\n")
    expect(
      rewriteSpecifiers(
        written,
        "src/providers/okta/streams/systemLog.ts",
        "src/providers/okta/systemLog.ts",
        moves,
      ),
    ).toBe(
      [
        'import type { ActivityStream } from "../../ActivityStream.ts"',
        'import { toActivity } from "../toActivity.ts"',
        'import { OktaCredentials } from "../credentials.ts"',
        'import { Effect } from "effect"',
      ].join("\n"),
    )
  })

  it("points an unmoved file's imports of moved files at their new places, and leaves the rest as written", () => {
    const index = 'import { systemLog } from "./systemLog.ts"\nexport { okta } from "./okta.ts"\n'
    expect(
      rewriteSpecifiers(index, "src/providers/okta/index.ts", "src/providers/okta/index.ts", moves),
    ).toBe('import { systemLog } from "./streams/systemLog.ts"\nexport { okta } from "./okta.ts"\n')
  })
})
