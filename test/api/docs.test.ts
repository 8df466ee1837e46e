import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { resolve } from "node:path"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { TestApiServer, testApiLayer } from "./apiTestKit.ts"

// Debian's chromium (installed by .ci/run when missing), driven by playwright-core: no browser download.
const executablePath =
  process.env.CHROMIUM_PATH ?? execFileSync("sh", ["-c", "command -v chromium"]).toString().trim()
const artifacts = resolve(import.meta.dirname, "../../test-artifacts")

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url)
  return (
    protocol === "data:" || protocol === "blob:" || ["127.0.0.1", "localhost", "[::1]"].includes(hostname)
  )
}

layer(testApiLayer, { excludeTestServices: true })("/docs in a browser", (it) => {
  it.effect(
    "loads from the connector alone (no CDN), reads the OpenAPI document and shows List Activities",
    () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const browser = yield* Effect.acquireRelease(
          Effect.promise(() =>
            chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] }),
          ),
          (b) => Effect.promise(() => b.close()),
        )
        const outcome = yield* Effect.promise(async () => {
          const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
          const outside: string[] = []
          const loaded: string[] = []
          // Nothing beyond loopback: a request elsewhere is refused, and remembered to fail the test.
          await page.route("**/*", (route) => {
            const url = route.request().url()
            if (isLoopback(url)) {
              loaded.push(url)
              return route.continue()
            }
            outside.push(url)
            return route.abort()
          })
          const answer = await page.goto(`${api.managementUrl}/docs`, { waitUntil: "networkidle" })
          await page.getByText("List Activities").first().waitFor({ timeout: 20_000 })
          const parameters = await page.getByText("integrated_account_id").count()
          mkdirSync(artifacts, { recursive: true })
          await page.screenshot({ path: resolve(artifacts, "docs.png"), fullPage: false })
          return { status: answer?.status(), outside, loaded, parameters, title: await page.title() }
        })
        expect(outcome.status).toBe(200)
        expect(outcome.outside).toEqual([])
        expect(outcome.loaded.every((url) => url.startsWith(api.managementUrl))).toBe(true)
        expect(outcome.title).toContain("SIEM activity connector")
        expect(outcome.parameters).toBeGreaterThan(0)
      }).pipe(Effect.scoped),
    { timeout: 60_000 },
  )
})
