import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Layer, Redacted, Schema, TestClock } from "effect"
import { Authorization, withAuthorization } from "../../../src/auth/Authorization.ts"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { ProviderUnauthorized } from "../../../src/http/ProviderError.ts"
import { ProviderHttp } from "../../../src/http/ProviderHttp.ts"
import { readDailyAllocation } from "../../../src/http/rateLimitHeaders.ts"
import type { Watermark } from "../../../src/providers/ActivityStream.ts"
import { mapRecord, type RejectedRecord } from "../../../src/providers/mapRecord.ts"
import { readStreamPage } from "../../../src/providers/readStream.ts"
import { providers } from "../../../src/providers/registry.ts"
import { salesforce } from "../../../src/providers/salesforce/index.ts"
import {
  classifySalesforceError,
  describeSalesforceError,
  isRequestLimitExceeded,
  SalesforceQueryResult,
} from "../../../src/providers/salesforce/SalesforceQueryResult.ts"
import {
  followNextRecordsUrl,
  type QueryCall,
  queryCall,
  queryPath,
  type SalesforceStream,
  SalesforceStreams,
} from "../../../src/providers/salesforce/tailQuery.ts"
import {
  type SalesforceSimulatorHandle,
  type SalesforceSimulatorOptions,
  startSalesforceSimulator,
} from "../../../src/simulators/salesforce/SalesforceSimulator.ts"
import { loginHistoryStream, setupAuditTrailStream } from "../../providers/salesforce/salesforceFixtures.ts"
import { pollStream } from "../../support/pollStream.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn } from "../../support/readAccountToEnd.ts"

// The simulated org spoken to over loopback HTTP: with plain fetch for the protocol, with the project's
// Authorization service for the token grants, and with production's stream read for paging and polls.

const NOW = Date.parse("2026-03-02T12:00:00Z")
const VERSION = "62.0"

interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

const get = (
  url: string | URL,
  authorization?: string,
  headers: Record<string, string> = {},
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const res = await fetch(url, { headers: { ...headers, ...(authorization ? { authorization } : {}) } })
    return { status: res.status, headers: res.headers, body: await res.json() }
  })

const bearer = (sim: SalesforceSimulatorHandle) => `Bearer ${sim.issueAccessToken()}`

/** On the test clock at NOW; the clock stands still unless a test moves it. */
const simulator = (options: SalesforceSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    return yield* startSalesforceSimulator({ seed: 7, ...options })
  })

const soqlUrl = (sim: SalesforceSimulatorHandle, soql: string) => {
  const url = new URL(queryPath(VERSION), sim.baseUrl)
  url.searchParams.set("q", soql)
  return url
}

/** The next batch's URL on the simulated instance, as the stream follows `nextRecordsUrl`. */
const nextBatchUrl = (sim: SalesforceSimulatorHandle, next: string | null | undefined) =>
  new URL(Either.getOrThrow(followNextRecordsUrl(next ?? "", VERSION)).target, sim.baseUrl)

/** A first request as the contract's machinery sends it: the target on the account's origin, with its query and headers. */
const send = (sim: SalesforceSimulatorHandle, call: QueryCall, authorization: string) => {
  const url = new URL(call.target, sim.baseUrl)
  url.searchParams.set("q", call.query.q)
  return get(url, authorization, call.headers)
}

/** The query requests the org saw (token grants aside). */
const queries = (sim: SalesforceSimulatorHandle) =>
  sim.requests().filter((r) => r.path.startsWith("/services/data/"))

/**
 * One poll as production runs it (`readStreamPage` until caught up), with the stream's settle window (0 unless
 * given) and batches of `batch` rows; `batches` counts the query requests it sent.
 */
const poll = (
  sim: SalesforceSimulatorHandle,
  stream: SalesforceStream,
  filters: ActivityFilters,
  from: Watermark | undefined,
  options: { readonly settleMs?: number; readonly batch?: number } = {},
) =>
  Effect.gen(function* () {
    const before = queries(sim).length
    const result = yield* pollStream(salesforce, stream, accountOn(salesforce, sim), filters, from, {
      ...options,
      pageSize: options.batch ?? 2000,
    })
    for (const answer of queries(sim).slice(before)) expect(answer.status).toBe(200)
    return { ...result, batches: queries(sim).length - before }
  })

const accountOf = (sim: SalesforceSimulatorHandle): IntegratedAccount => ({
  id: "salesforce-sim",
  integration: "salesforce",
  baseUrl: new URL(sim.baseUrl),
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
})

const idOf = (row: unknown) => (row as { Id: string }).Id

const streamOf = (name: SalesforceStream) => {
  const stream = salesforce.streams.find((s) => s.name === name)
  if (stream === undefined) throw new Error(`no Salesforce stream ${name}`)
  return stream
}
const loginTimeOf = (row: unknown) =>
  Date.parse((row as { LoginTime: string }).LoginTime.replace("+0000", "Z"))

describe("SalesforceSimulator: sessions and the token endpoint", () => {
  const Live = Authorization.layer(providers).pipe(
    Layer.provideMerge(ProviderHttp.layer({ retryBase: "10 millis" })),
  )
  let accounts = 0
  const accountFor = (
    sim: SalesforceSimulatorHandle,
    credentials: Readonly<Record<string, string>>,
    settings: Readonly<Record<string, string>> = sim.settings,
  ): IntegratedAccount => ({
    id: `salesforce-sim-${++accounts}`,
    integration: "salesforce",
    baseUrl: new URL(sim.baseUrl),
    credentials: Schema.decodeUnknownSync(salesforce.credentials)(credentials),
    settings,
  })
  /** A query through ProviderHttp with the account's authorization: a 401 renews a grant's token once. */
  const countLogins = (sim: SalesforceSimulatorHandle, account: IntegratedAccount) =>
    withAuthorization(account, (authorization) =>
      Effect.flatMap(ProviderHttp, (http) =>
        http.send({
          account,
          url: soqlUrl(sim, "SELECT Id FROM LoginHistory"),
          headers: { Authorization: Redacted.value(authorization) },
          describeError: describeSalesforceError,
        }),
      ),
    )

  it.scopedLive("refresh token and JWT bearer at the login host, client credentials at the My Domain", () =>
    Effect.gen(function* () {
      const sim = yield* startSalesforceSimulator({ historySize: 20 })
      for (const credentials of [sim.credentials, sim.jwtCredentials, sim.clientCredentials]) {
        const response = yield* countLogins(sim, accountFor(sim, credentials))
        expect(response.status).toBe(200)
        expect((response.body as { totalSize: number }).totalSize).toBe(sim.loginHistory().length)
      }
      expect(sim.tokenRequests()).toEqual([
        { host: "login", grantType: "refresh_token", clientId: sim.credentials.client_id, status: 200 },
        {
          host: "login",
          grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          clientId: undefined,
          status: 200,
        },
        {
          host: "my-domain",
          grantType: "client_credentials",
          clientId: sim.credentials.client_id,
          status: 200,
        },
      ])
      expect(sim.requests().map((r) => [r.authScheme, r.status])).toEqual(Array(3).fill(["Bearer", 200]))
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive(
    "the token answer carries instance_url and no expires_in; refusals are OAuth error bodies",
    () =>
      Effect.gen(function* () {
        const sim = yield* startSalesforceSimulator({ historySize: 0 })
        const token = (origin: string, form: Record<string, string>) =>
          Effect.promise(async () => {
            const res = await fetch(`${origin}/services/oauth2/token`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: new URLSearchParams(form),
            })
            return { status: res.status, body: (await res.json()) as Record<string, unknown> }
          })
        const ok = yield* token(sim.loginUrl, { grant_type: "refresh_token", ...sim.credentials })
        expect(ok).toMatchObject({
          status: 200,
          body: {
            instance_url: sim.baseUrl,
            token_type: "Bearer",
            scope: "api",
            access_token: expect.any(String),
          },
        })
        expect(ok.body).not.toHaveProperty("expires_in")
        const cases: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
          [sim.loginUrl, { grant_type: "client_credentials", ...sim.clientCredentials }, "invalid_grant"],
          [
            sim.baseUrl,
            { grant_type: "client_credentials", ...sim.clientCredentials, client_secret: "wrong" },
            "invalid_client",
          ],
          [
            sim.loginUrl,
            { grant_type: "refresh_token", ...sim.credentials, refresh_token: "revoked" },
            "invalid_grant",
          ],
          [
            sim.loginUrl,
            { grant_type: "refresh_token", ...sim.credentials, client_id: "other-app" },
            "invalid_client_id",
          ],
          [sim.loginUrl, { grant_type: "password", username: "u", password: "p" }, "unsupported_grant_type"],
          [
            sim.loginUrl,
            { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "a.b.c" },
            "invalid_grant",
          ],
        ]
        for (const [origin, form, error] of cases) {
          const answer = yield* token(origin, form)
          expect([form.grant_type, answer.status, answer.body.error]).toEqual([form.grant_type, 400, error])
          expect(answer.body.error_description).toEqual(expect.any(String))
        }
      }),
  )

  it.scopedLive(
    "Refresh Token Rotation: each refresh answers a new refresh token and invalidates the one sent; reusing an invalidated one revokes the current one and its sessions",
    () =>
      Effect.gen(function* () {
        const sim = yield* startSalesforceSimulator({ historySize: 0, refreshTokenRotation: true })
        const refresh = (refresh_token: string) =>
          Effect.promise(async () => {
            const res = await fetch(`${sim.loginUrl}/services/oauth2/token`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: new URLSearchParams({ grant_type: "refresh_token", ...sim.credentials, refresh_token }),
            })
            return { status: res.status, body: (await res.json()) as Record<string, string> }
          })
        const first = yield* refresh(sim.credentials.refresh_token)
        expect(first.status).toBe(200)
        const second = first.body.refresh_token ?? ""
        expect(second).not.toBe(sim.credentials.refresh_token)
        expect(sim.currentRefreshToken()).toBe(second)
        const third = yield* refresh(second)
        expect(third.status).toBe(200)
        const session = third.body.access_token ?? ""
        // The configured token, rotated away twice: the documented refusal, and everything it led to revoked.
        const reused = yield* refresh(sim.credentials.refresh_token)
        expect(reused).toEqual({
          status: 400,
          body: { error: "invalid_grant", error_description: "expired access/refresh token" },
        })
        expect(sim.currentRefreshToken()).toBeUndefined()
        expect((yield* refresh(third.body.refresh_token ?? "")).status).toBe(400)
        expect((yield* get(soqlUrl(sim, "SELECT Id FROM LoginHistory"), `Bearer ${session}`)).status).toBe(
          401,
        )
      }),
  )

  it.scopedLive(
    "an expired or revoked session is 401 INVALID_SESSION_ID; a grant account renews once and goes on",
    () =>
      Effect.gen(function* () {
        const sim = yield* startSalesforceSimulator({ historySize: 5 })
        const account = accountFor(sim, sim.jwtCredentials)
        yield* countLogins(sim, account)
        sim.revokeTokens()
        expect((yield* countLogins(sim, account)).status).toBe(200)
        expect(sim.requests().map((r) => [r.status, r.errorCode ?? null])).toEqual([
          [200, null],
          [401, "INVALID_SESSION_ID"],
          [200, null],
        ])
        expect(sim.tokenRequests()).toHaveLength(2)
        const refused = yield* get(soqlUrl(sim, "SELECT Id FROM LoginHistory"), "Bearer not-a-session")
        expect(refused).toMatchObject({
          status: 401,
          body: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }],
        })
        // A static token cannot be renewed: its 401 is the answer.
        const error = yield* Effect.flip(countLogins(sim, accountFor(sim, { access_token: "00Dxx!expired" })))
        expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
        expect(error.message).toContain("INVALID_SESSION_ID")
      }).pipe(Effect.provide(Live)),
  )

  it.scopedLive(
    "REQUEST_LIMIT_EXCEEDED reaches ProviderHttp as a 403; classifySalesforceError makes it the rate limit it is",
    () =>
      Effect.gen(function* () {
        const sim = yield* startSalesforceSimulator({ historySize: 1 })
        const account = accountFor(sim, sim.clientCredentials)
        sim.forceRequestLimitExceeded(1)
        const error = yield* Effect.flip(countLogins(sim, account))
        expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 403 })
        expect(classifySalesforceError(error)).toMatchObject({
          _tag: "ProviderRateLimited",
          retryAfterMs: 3_600_000,
          message: expect.stringContaining("REQUEST_LIMIT_EXCEEDED"),
        })
        // A 403 is not a session problem: no new token was fetched for it.
        expect(sim.tokenRequests()).toHaveLength(1)
        const other = new ProviderUnauthorized({
          integration: "salesforce",
          status: 403,
          message: "salesforce answered 403 INSUFFICIENT_ACCESS: insufficient access rights on object id",
        })
        expect(classifySalesforceError(other)).toBe(other)
      }).pipe(Effect.provide(Live)),
  )

  it.scoped("sessions end per the org's policy", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 0, sessionLifetimeMs: 60_000 })
      const authorization = bearer(sim)
      expect((yield* get(soqlUrl(sim, "SELECT Id FROM LoginHistory"), authorization)).status).toBe(200)
      yield* TestClock.adjust("61 seconds")
      expect((yield* get(soqlUrl(sim, "SELECT Id FROM LoginHistory"), authorization)).status).toBe(401)
    }),
  )
})

describe("SalesforceSimulator: SOQL", () => {
  it.scoped(
    "parses what it answers: malformed SOQL is MALFORMED_QUERY, wrong names and types their own codes",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 0 })
        const authorization = bearer(sim)
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["SELECT Id LoginHistory", "MALFORMED_QUERY"],
          ["SELECT Id, FROM LoginHistory", "MALFORMED_QUERY"],
          [
            "SELECT Id FROM LoginHistory WHERE LoginTime >= 2026-03-01T00:00:00Z AND UserId = '005Hn00000H35Jt' OR Id != null",
            "MALFORMED_QUERY",
          ],
          ["SELECT Id FROM LoginHistory WHERE UserId = '005Hn00000H35Jt", "MALFORMED_QUERY"],
          ["SELECT Id FROM SetupAuditTrail WHERE Action = 'a\\qb'", "MALFORMED_QUERY"],
          ["SELECT Id FROM LoginHistory ORDER BY LoginTime SIDEWAYS", "MALFORMED_QUERY"],
          ["SELECT Id FROM LoginHistory; DELETE", "MALFORMED_QUERY"],
          ["SELECT Id FROM LoginHistory WHERE LoginTime >= 2026-03-01T00:00:00Z LIMIT x", "MALFORMED_QUERY"],
          ["SELECT Id FROM Account", "INVALID_TYPE"],
          ["SELECT Id, Passwd FROM LoginHistory", "INVALID_FIELD"],
          ["SELECT Id FROM LoginHistory WHERE Status = 'Success'", "INVALID_FIELD"],
          ["SELECT Id FROM LoginHistory WHERE LoginTime >= '2026-03-01T00:00:00Z'", "INVALID_FIELD"],
          ["SELECT Id FROM LoginHistory WHERE UserId = 005", "INVALID_FIELD"],
          ["SELECT Id FROM LoginHistory WHERE UserId = 'jane@acme.example'", "INVALID_QUERY_FILTER_OPERATOR"],
        ]
        for (const [soql, code] of cases) {
          const answer = yield* get(soqlUrl(sim, soql), authorization)
          expect([soql, answer.status, answer.body[0]?.errorCode]).toEqual([soql, 400, code])
          expect(answer.body[0].message).toEqual(expect.any(String))
        }
        const missing = yield* get(`${sim.baseUrl}/services/data/v${VERSION}/query`, authorization)
        expect(missing.body).toEqual([
          { message: "A query string has to be specified", errorCode: "MALFORMED_QUERY" },
        ])
        for (const path of [
          "/services/data/v20.0/query?q=SELECT+Id+FROM+LoginHistory",
          "/services/data/v62.0/sobjects/User",
          "/",
        ]) {
          expect((yield* get(`${sim.baseUrl}${path}`, authorization)).body).toEqual([
            { errorCode: "NOT_FOUND", message: "The requested resource does not exist" },
          ])
        }
      }),
  )

  it.scoped(
    "answers only the selected fields, with attributes, in SELECT's order; text compares case-insensitively",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 200 })
        const answer = yield* get(
          soqlUrl(
            sim,
            "select id, status, logintime from loginhistory order by LoginTime desc, Id desc limit 3",
          ),
          bearer(sim),
        )
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ totalSize: 3, done: true })
        expect(answer.body).not.toHaveProperty("nextRecordsUrl")
        for (const record of answer.body.records) {
          expect(Object.keys(record)).toEqual(["attributes", "Id", "Status", "LoginTime"])
          expect(record.attributes).toEqual({
            type: "LoginHistory",
            url: `/services/data/v62.0/sobjects/LoginHistory/${record.Id}`,
          })
          expect(record.LoginTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/)
        }
        const times = answer.body.records.map((r: { LoginTime: string }) => r.LoginTime)
        expect([...times].sort().reverse()).toEqual(times)
        const audit = yield* get(
          soqlUrl(sim, "SELECT Id, Action FROM SetupAuditTrail WHERE Action = 'CREATEDUSER'"),
          bearer(sim),
        )
        expect(audit.body.records.length).toBeGreaterThan(0)
        expect(new Set(audit.body.records.map((r: { Action: string }) => r.Action))).toEqual(
          new Set(["createduser"]),
        )
      }),
  )
})

describe("SalesforceSimulator: paging and filters", () => {
  it.scoped("pages to the end by nextRecordsUrl: every row of the range once, oldest first, ties by Id", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 900, historySpanMs: 6 * 3_600_000 })
      const expected = sim.loginHistory().map(idOf)
      const { published, rejected, batches, position } = yield* poll(sim, "login_history", {}, undefined, {
        batch: 200,
      })
      expect(rejected).toEqual([])
      expect(published.map(idOf).sort()).toEqual([...expected].sort())
      expect(batches).toBe(Math.ceil(expected.length / 200))
      const keys = published.map((row) => ({ time: loginTimeOf(row), id: idOf(row) }))
      const sorted = [...keys].sort((a, b) => a.time - b.time || a.id.localeCompare(b.id))
      expect(keys).toEqual(sorted)
      expect(position).not.toHaveProperty("next_records_url")
      const pages = queries(sim)
      expect(pages[0]?.params.q).toContain("FROM LoginHistory WHERE LoginTime >= ")
      expect(pages.slice(1).map((r) => r.path)).toEqual(
        Array.from({ length: batches - 1 }, (_, i) =>
          expect.stringMatching(
            new RegExp(`^/services/data/v62\\.0/query/01g[A-Za-z0-9]{15}-${(i + 1) * 200}$`),
          ),
        ),
      )
      expect(pages.map((r) => r.rows)).toEqual([
        ...Array(batches - 1).fill(200),
        expected.length - (batches - 1) * 200,
      ])
      // Every generated row decodes and maps, and failures are among them.
      const activities = published.map((raw) =>
        Either.getOrThrow(mapRecord(loginHistoryStream, accountOf(sim), raw)),
      )
      const actions = new Set(activities.map((a) => a.action))
      expect(actions).toEqual(new Set(["login", "login_failed"]))
      const statuses = new Set(published.map((row) => (row as { Status: string }).Status))
      for (const status of ["Success", "Invalid Password", "Failed: Computer activation required"])
        expect(statuses).toContain(status)
    }),
  )

  it.scoped("actor_id and created_at reach the org as SOQL conditions, on each object's own fields", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 500 })
      const user = sim.users[3]?.id ?? ""
      const since = new Date(NOW - 24 * 3_600_000).toISOString()
      const logins = yield* poll(sim, "login_history", { actor_id: user, created_at: since }, undefined)
      const expected = sim
        .loginHistory()
        .filter(
          (row) =>
            row.UserId === user &&
            Date.parse(String(row.LoginTime).replace("+0000", "Z")) >= Date.parse(since),
        )
      expect(logins.published.map(idOf).sort()).toEqual(expected.map(idOf).sort())
      expect(expected.length).toBeGreaterThan(0)
      const q = sim.requests().at(-1)?.params.q ?? ""
      expect(q).toContain(`UserId = '${user}'`)
      expect(q).toContain(`LoginTime >= ${since.replace(".000Z", "Z")}`)

      const admin = sim.users[0]?.id ?? ""
      // A 15-character id matches the 18-character one it abbreviates.
      const changes = yield* poll(sim, "setup_audit_trail", { actor_id: admin.slice(0, 15) }, undefined)
      expect(changes.published.length).toBe(
        sim.setupAuditTrail().filter((row) => row.CreatedById === admin).length,
      )
      expect(changes.published.length).toBeGreaterThan(0)
      expect(sim.requests().at(-1)?.params.q).toContain(`FROM SetupAuditTrail WHERE CreatedDate >= `)
      expect(sim.requests().at(-1)?.params.q).toContain(`AND CreatedById = '${admin.slice(0, 15)}'`)
      const actions = changes.published.map(
        (raw) => Either.getOrThrow(mapRecord(setupAuditTrailStream, accountOf(sim), raw)).action,
      )
      expect(actions.length).toBeGreaterThan(0)
    }),
  )

  it.scoped(
    "SetupAuditTrail rows decode and map: user creation and deactivation among raw Setup actions",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 400 })
        const { published } = yield* poll(sim, "setup_audit_trail", {}, undefined)
        expect(published.length).toBe(sim.setupAuditTrail().length)
        const actions = new Set(
          published.map(
            (raw) => Either.getOrThrow(mapRecord(setupAuditTrailStream, accountOf(sim), raw)).action,
          ),
        )
        for (const action of ["user_created", "user_deactivated", "frozeuser", "PermSetAssign"])
          expect(actions).toContain(action)
      }),
  )

  it.scoped("a dead locator is 400 INVALID_QUERY_LOCATOR; the position still says where to go on", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 450, maxBatchSize: 200 })
      const authorization = bearer(sim)
      const first = yield* send(
        sim,
        queryCall("login_history", VERSION, {
          filters: {},
          from: NOW - Duration.toMillis(SalesforceStreams.login_history.retention),
          to: NOW,
          limit: 2000,
        }),
        authorization,
      )
      const batch = Schema.decodeUnknownSync(SalesforceQueryResult)(first.body)
      expect(batch.records).toHaveLength(200)
      // A read that stopped after the first batch: production's position after those 200 rows.
      const stopped = yield* readStreamPage(salesforce, streamOf("login_history"), {
        account: accountOn(salesforce, sim),
        filters: {},
        position: undefined,
        limit: 200,
      }).pipe(Effect.provide(ProviderClientsTest))
      expect(stopped.hasMore).toBe(true)
      expect(stopped.records.map(idOf)).toEqual(batch.records.map(idOf))
      sim.expireQueryLocators()
      const gone = yield* get(nextBatchUrl(sim, batch.nextRecordsUrl), authorization)
      expect(gone.status).toBe(400)
      expect(gone.body).toEqual([{ message: "invalid query locator", errorCode: "INVALID_QUERY_LOCATOR" }])
      // Query again from the position: nothing repeated, nothing missed.
      const rest = yield* poll(sim, "login_history", {}, stopped.next as Watermark)
      const all = [...stopped.records, ...rest.published].map(idOf)
      expect(new Set(all).size).toBe(all.length)
      expect(all.sort()).toEqual(sim.loginHistory().map(idOf).sort())
    }),
  )
})

describe("SalesforceSimulator: tailing across polls", () => {
  const LATE = "0YaRO00000LaTe10AF"

  /**
   * Polls every 20 s while rows arrive (12 a round, all in one second), one row turns up 25 s after its time
   * (older than the round's burst), one malformed row. Returns what was handed on: ids of the rows published
   * and of those rejected, and the rejections.
   */
  const tail = (settleMs: number) =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 60, historySpanMs: 3_600_000 })
      const handedOn: Array<unknown> = []
      const rejections: Array<RejectedRecord> = []
      let position: Watermark | undefined
      const run = () =>
        Effect.gen(function* () {
          const result = yield* poll(sim, "login_history", {}, position, { settleMs, batch: 200 })
          handedOn.push(...result.rejected.map(({ raw }) => raw), ...result.published)
          rejections.push(...result.rejected.map(({ rejected }) => rejected))
          position = result.position
        })
      yield* run()
      for (let round = 0; round < 6; round++) {
        sim.emit(12)
        yield* TestClock.adjust("20 seconds")
        yield* run()
        const clock = yield* Effect.clockWith((c) => c.currentTimeMillis)
        if (round === 2) {
          const at = clock - 25_000
          const template = sim.loginHistory().at(-1) ?? {}
          sim.inject(
            "LoginHistory",
            { ...template, Id: LATE, LoginTime: new Date(at).toISOString().replace("Z", "+0000") },
            at,
          )
        }
        if (round === 4) sim.injectMalformed("LoginHistory", "missing-required")
      }
      yield* TestClock.adjust("1 minute")
      yield* run()
      yield* run()
      return { sim, ids: handedOn.map(idOf), rejections }
    })

  it.scoped(
    "rows emitted over time, several in one second, a late row, a malformed one: each published once",
    () =>
      Effect.gen(function* () {
        const { sim, ids, rejections } = yield* tail(30_000)
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort()).toEqual(sim.loginHistory().map(idOf).sort())
        expect(ids).toContain(LATE)
        // The malformed row reached the mapping once, and is rejected there (dead letter), not re-read.
        expect(rejections).toEqual([
          expect.objectContaining({ stage: "decode", reason: expect.stringContaining("Status") }),
        ])
      }),
  )

  it.scoped(
    "without the settle margin the late row falls behind the watermark and is lost (what the margin is for)",
    () =>
      Effect.gen(function* () {
        const { sim, ids } = yield* tail(0)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids).not.toContain(LATE)
        expect([...ids, LATE].sort()).toEqual(sim.loginHistory().map(idOf).sort())
      }),
  )
})

describe("SalesforceSimulator: API allocation", () => {
  it.scoped(
    "Sforce-Limit-Info on every answer; past the allocation a 403 REQUEST_LIMIT_EXCEEDED without Retry-After",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 10, dailyApiRequests: 3 })
        const authorization = bearer(sim)
        const url = soqlUrl(sim, "SELECT Id FROM LoginHistory")
        const answers: Array<Answer> = []
        for (let i = 0; i < 4; i++) answers.push(yield* get(url, authorization))
        expect(answers.map((a) => [a.status, a.headers.get("sforce-limit-info")])).toEqual([
          [200, "api-usage=1/3"],
          [200, "api-usage=2/3"],
          [200, "api-usage=3/3"],
          [403, "api-usage=4/3"],
        ])
        const refused = answers[3] as Answer
        expect(refused.body).toEqual([
          { message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
        ])
        expect(refused.headers.get("retry-after")).toBeNull()
        expect(isRequestLimitExceeded(refused.status, refused.body)).toBe(true)
        expect(isRequestLimitExceeded(401, refused.body)).toBe(false)
        expect(
          readDailyAllocation({
            "sforce-limit-info": answers[1]?.headers.get("sforce-limit-info") ?? undefined,
          }),
        ).toEqual({
          used: 2,
          allocation: 3,
        })
        expect(
          readDailyAllocation({ "sforce-limit-info": "api-usage=110018/100000; api-bursts=1/750" }),
        ).toEqual({
          used: 110018,
          allocation: 100000,
        })
        expect(sim.requests().map((r) => r.apiUsage?.used)).toEqual([1, 2, 3, 4])
      }),
  )

  it.scoped("forced refusals: a spent allocation, then a query timeout; /limits reports the allocation", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 0 })
      const authorization = bearer(sim)
      const url = soqlUrl(sim, "SELECT Id FROM SetupAuditTrail")
      sim.forceRequestLimitExceeded(1)
      sim.forceQueryTimeout(1)
      expect((yield* get(url, authorization)).status).toBe(403)
      expect(yield* get(url, authorization)).toMatchObject({
        status: 500,
        body: [{ message: "query timeout", errorCode: "QUERY_TIMEOUT" }],
      })
      expect((yield* get(url, authorization)).status).toBe(200)
      expect((yield* get(`${sim.baseUrl}/services/data/v62.0/limits`, authorization)).body).toEqual({
        DailyApiRequests: { Max: 15_000, Remaining: 15_000 - 4 },
      })
    }),
  )
})
