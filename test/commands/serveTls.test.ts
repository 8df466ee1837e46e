import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import {
  accountQuery,
  type SimulatedAccount,
  startSimulatedAccounts,
  testApiKey,
  writeConfig,
} from "../support/simulatedAccounts.ts"

/**
 * `serve` with `server.tls` and `server.management.tls`: both listeners answer HTTPS with a certificate made
 * here by openssl, verified by a client that trusts only that certificate.
 */
const dir = mkdtempSync(join(tmpdir(), "connector-serve-tls-test-"))
const scope = Effect.runSync(Scope.make())
const certFile = join(dir, "cert.pem")
const keyFile = join(dir, "key.pem")
let account: SimulatedAccount
let serve: RunningCommand
let ports = { api: 0, management: 0 }

/** A GET over HTTPS trusting only the test's certificate: status and body. */
const httpsGet = (port: number, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((ok, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers, ca: readFileSync(certFile), servername: "localhost" },
      (response) => {
        let body = ""
        response.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk
        })
        response.on("end", () => ok({ status: response.statusCode ?? 0, body }))
      },
    )
    req.on("error", fail)
    req.end()
  })

beforeAll(async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  )
  const [okta] = await Effect.runPromise(
    Scope.extend(startSimulatedAccounts({ historySize: 5, seed: 23 }, ["okta"]), scope),
  )
  if (okta === undefined) throw new Error("no okta account")
  account = okta
  const tls = { cert_file: certFile, key_file: keyFile }
  const file = writeConfig(dir, "tls", [account.entry], {
    server: { tls, management: { port: 0, tls } },
  })
  serve = startCommand(["serve", "--config", file])
  const api = await serve.logLine((line) => line.msg === "HTTP API listening", 30_000)
  const management = await serve.logLine((line) => line.msg === "management listening", 30_000)
  ports = { api: Number(api.port), management: Number(management.port) }
}, 60_000)

afterAll(async () => {
  serve?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("serve with server.tls", () => {
  it("answers the endpoint over HTTPS, verified against the certificate", async () => {
    const page = await httpsGet(
      ports.api,
      `/unified/user-directory/activities?${new URLSearchParams({ ...accountQuery(account), limit: "5" })}`,
      { authorization: `Bearer ${testApiKey}` },
    )
    expect(page.status, page.body).toBe(200)
    expect(JSON.parse(page.body)).toHaveProperty("result")
  })

  it("the management listener too, with server.management.tls", async () => {
    const health = await httpsGet(ports.management, "/healthz")
    expect([200, 503]).toContain(health.status)
    expect(JSON.parse(health.body)).toHaveProperty("status")
  })

  it("does not answer plain HTTP", async () => {
    await expect(fetch(`http://127.0.0.1:${ports.api}/openapi.json`)).rejects.toThrow()
  })

  it("a client that does not trust the certificate is refused", async () => {
    await expect(fetch(`https://127.0.0.1:${ports.api}/openapi.json`)).rejects.toThrow()
  })

  it("drains and exits 0 on SIGTERM", async () => {
    serve.child.kill("SIGTERM")
    const ended = await serve.ended(20_000)
    expect(ended.code, ended.stderr).toBe(0)
  })
})

describe("serve with a server.tls file that cannot be read", () => {
  it("exits 1 naming the key and the file", async () => {
    const missing = join(dir, "missing-key.pem")
    const file = writeConfig(dir, "tls-missing", [], {
      server: { tls: { cert_file: certFile, key_file: missing } },
    })
    const ended = await startCommand(["serve", "--config", file]).ended(20_000)
    expect(ended.code).toBe(1)
    expect(ended.stderr + ended.stdout).toContain(`server.tls.key_file ${missing} (no such file)`)
  })
})
