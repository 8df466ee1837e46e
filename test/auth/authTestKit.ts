import { generateKeyPairSync, type KeyObject, verify } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { Effect, Schema } from "effect"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"

/** An RSA key pair; the private half in the PEM form a config holds, the public half to verify with. */
export const rsaKeyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  return { privateKeyPem: privateKey, publicKeyPem: publicKey }
}

let accounts = 0

/** An account of `integration` whose config-form credentials are decoded as config load decodes them. */
export const accountOf = (
  integration: Integration,
  credentials: Readonly<Record<string, string>>,
  options: { readonly baseUrl?: string; readonly settings?: Readonly<Record<string, string>> } = {},
): IntegratedAccount => {
  const adapter = providers[integration]
  const settings = options.settings ?? {}
  if (adapter.settings) Schema.decodeUnknownSync(adapter.settings)(settings)
  return {
    id: `${integration}-auth-test-${++accounts}`,
    integration,
    baseUrl: new URL(options.baseUrl ?? adapter.defaultBaseUrl ?? "https://tenant.example.com"),
    credentials: Schema.decodeUnknownSync(adapter.credentials)(credentials),
    settings,
  }
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  readonly form: Readonly<Record<string, string>>
}

type Answer = readonly [status: number, body: unknown, headers?: Readonly<Record<string, string>>]

/**
 * A loopback HTTP server standing in for a token endpoint (and, where a test needs it, the API beside it):
 * every request is recorded with its form body parsed, and answered by `answer`.
 */
export const loopbackServer = (answer: (request: RecordedRequest, index: number) => Answer) =>
  Effect.acquireRelease(
    Effect.async<{ origin: string; requests: () => ReadonlyArray<RecordedRequest>; close: () => void }>(
      (resume) => {
        const requests: RecordedRequest[] = []
        const server = createServer((req: IncomingMessage, res: ServerResponse) => {
          let text = ""
          req.setEncoding("utf8")
          req.on("data", (chunk: string) => {
            text += chunk
          })
          req.on("end", () => {
            const recorded: RecordedRequest = {
              method: req.method ?? "",
              path: req.url ?? "",
              authorization: req.headers.authorization,
              contentType: req.headers["content-type"],
              form: Object.fromEntries(new URLSearchParams(text)),
            }
            requests.push(recorded)
            const [status, body, headers = {}] = answer(recorded, requests.length - 1)
            res.writeHead(status, { "content-type": "application/json", ...headers })
            res.end(JSON.stringify(body))
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          const port = typeof address === "object" && address ? address.port : 0
          resume(
            Effect.succeed({
              origin: `http://127.0.0.1:${port}`,
              requests: () => [...requests],
              close: () => {
                server.closeAllConnections()
                server.close()
              },
            }),
          )
        })
      },
    ),
    (server) => Effect.sync(server.close),
  )

/** A token answer: `tok-1`, `tok-2`… in request order. */
export const issueTokens =
  (extra: Readonly<Record<string, unknown>> = { expires_in: 3600 }) =>
  (_request: RecordedRequest, index: number): Answer => [
    200,
    { access_token: `tok-${index + 1}`, token_type: "Bearer", ...extra },
  ]

export interface DecodedJwt {
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
  /** Whether the RS256 signature verifies with the given public key. */
  readonly verifiesWith: (publicKey: string | KeyObject) => boolean
}

export const decodeJwt = (jwt: string): DecodedJwt => {
  const [header = "", payload = "", signature = ""] = jwt.split(".")
  const json = (segment: string) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
  return {
    header: json(header),
    claims: json(payload),
    verifiesWith: (publicKey) =>
      verify("sha256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url")),
  }
}
