import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Either } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { kafkaJsConfig } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { makeOAuthBearerProvider } from "../../src/pipeline/kafkajs/oauthBearerProvider.ts"

/** A token endpoint: client credentials, client `connector` / `s3cr3t:with&symbols` as Basic. */
const clientId = "connector"
const clientSecret = "s3cr3t:with&symbols"
let server: Server
let endpoint = ""
let requests: Array<{ authorization: string | undefined; form: URLSearchParams }> = []
let answer: { status: number; body: unknown } = { status: 200, body: {} }
let issued = 0

const readBody = (request: IncomingMessage) =>
  new Promise<string>((ok) => {
    let text = ""
    request.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk
    })
    request.on("end", () => ok(text))
  })

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const form = new URLSearchParams(await readBody(request))
    requests.push({ authorization: request.headers.authorization, form })
    // A little latency, so concurrent callers overlap.
    await new Promise((wait) => setTimeout(wait, 30))
    const expected = `Basic ${Buffer.from(`${clientId}:${encodeURIComponent(clientSecret)}`).toString("base64")}`
    const refused = request.headers.authorization !== expected
    const { status, body } = refused
      ? { status: 401, body: { error: "invalid_client", error_description: "bad secret" } }
      : answer.status === 200 && answer.body === undefined
        ? { status: 200, body: { access_token: `token-${++issued}`, expires_in: 3600, token_type: "bearer" } }
        : answer
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
  })
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`
})
afterAll(() => new Promise<void>((ok) => server.close(() => ok())))
beforeEach(() => {
  requests = []
  issued = 0
  answer = { status: 200, body: undefined }
})

describe("the SASL/OAUTHBEARER token provider", () => {
  it("asks the endpoint for a client-credentials token, the client as Basic, with the scope", async () => {
    const provide = makeOAuthBearerProvider({
      tokenEndpoint: endpoint,
      clientId,
      clientSecret,
      scope: "kafka.write",
    })
    expect(await provide()).toEqual({ value: "token-1" })
    expect(requests).toHaveLength(1)
    expect(requests[0]?.form.get("grant_type")).toBe("client_credentials")
    expect(requests[0]?.form.get("scope")).toBe("kafka.write")
  })

  it("one token for every connection until shortly before it expires; concurrent connections share one request", async () => {
    let clock = 1_000_000
    const provide = makeOAuthBearerProvider({
      tokenEndpoint: endpoint,
      clientId,
      clientSecret,
      now: () => clock,
    })
    const first = await Promise.all([provide(), provide(), provide()])
    expect(first.map((t) => t.value)).toEqual(["token-1", "token-1", "token-1"])
    clock += 3_500_000 // within the last minute of the hour: not yet
    expect((await provide()).value).toBe("token-1")
    clock += 45_000 // 3545 s: past 3600 s less the one-minute margin
    expect((await provide()).value).toBe("token-2")
    expect(requests).toHaveLength(2)
    expect(requests[0]?.form.has("scope")).toBe(false)
  })

  it("a refused client fails naming the endpoint and the OAuth error, never the secret; the next call asks again", async () => {
    const provide = makeOAuthBearerProvider({
      tokenEndpoint: endpoint,
      clientId,
      clientSecret: "wrong-secret",
    })
    const failure = await provide().then(
      () => undefined,
      (error: Error) => error.message,
    )
    expect(failure).toBe(
      `kafka.sasl: the OAUTHBEARER token request to ${endpoint} failed: 401 invalid_client`,
    )
    await expect(provide()).rejects.toThrow("401")
    expect(requests).toHaveLength(2)
  })

  it("an answer without access_token, or an endpoint that is not there, fails", async () => {
    answer = { status: 200, body: { token_type: "bearer" } }
    const provide = makeOAuthBearerProvider({ tokenEndpoint: endpoint, clientId, clientSecret })
    await expect(provide()).rejects.toThrow("the answer has no access_token")
    const nowhere = makeOAuthBearerProvider({
      tokenEndpoint: "http://127.0.0.1:9/oauth2/token",
      clientId,
      clientSecret,
    })
    await expect(nowhere()).rejects.toThrow("token request to http://127.0.0.1:9/oauth2/token failed")
  })
})

describe("kafka.sasl.mechanism: oauthbearer", () => {
  const kafkaSection = (sasl: string, env: Record<string, string> = {}) =>
    parseConfig(
      "kafka.yaml",
      `server:\n  api_keys: ["an-api-key-of-sufficient-length"]\n  cursor_secret: "${"s".repeat(40)}"\nkafka:\n  brokers: [b1:9093]\n  sasl: ${sasl}\naccounts: []\n`,
      env,
    )

  it("gives every kafkajs client the provider, fetching from the configured endpoint", async () => {
    const parsed = kafkaSection(
      `{ mechanism: oauthbearer, token_endpoint: "${endpoint}", client_id: ${clientId}, client_secret: "\${KAFKA_CLIENT_SECRET}", scope: kafka }`,
      { KAFKA_CLIENT_SECRET: clientSecret },
    )
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    const { sasl } = kafkaJsConfig(parsed.right.config.kafka, ["b1:9093"])
    expect(sasl?.mechanism).toBe("oauthbearer")
    if (sasl === undefined || !("oauthBearerProvider" in sasl)) throw new Error("no oauthBearerProvider")
    expect(await sasl.oauthBearerProvider()).toEqual({ value: "token-1" })
    expect(requests[0]?.form.get("scope")).toBe("kafka")
  })

  it("names a missing or bad key with its path, without the secret", () => {
    const parsed = kafkaSection(
      `{ mechanism: oauthbearer, token_endpoint: not-a-url, client_secret: hunter2-secret }`,
    )
    if (Either.isRight(parsed)) throw new Error("expected the config to be rejected")
    expect(parsed.left.problems).toEqual(
      expect.arrayContaining([
        "kafka.sasl.token_endpoint: must be an absolute http(s) URL",
        "kafka.sasl.client_id: missing",
      ]),
    )
    expect(parsed.left.message).not.toContain("hunter2")
  })

  it("another mechanism's keys are not asked for, and an unknown mechanism is one line", () => {
    const oauth = kafkaSection(`{ mechanism: oauthbearer, token_endpoint: "${endpoint}", client_id: c }`)
    const unknown = kafkaSection(`{ mechanism: gssapi }`)
    if (Either.isRight(oauth) || Either.isRight(unknown))
      throw new Error("expected the configs to be rejected")
    expect(oauth.left.problems).toEqual(["kafka.sasl.client_secret: missing"])
    expect(unknown.left.problems).toEqual([
      "kafka.sasl.mechanism: must be plain, scram-sha-256, scram-sha-512 or oauthbearer",
    ])
  })
})
