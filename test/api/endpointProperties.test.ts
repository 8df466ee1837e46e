import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, it } from "@fast-check/vitest"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { queryParamNames } from "../../src/api/QueryParams.ts"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startZendeskSimulator } from "../../src/simulators/zendesk/ZendeskSimulator.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import { testApiKey, writeConfig } from "../support/simulatedAccounts.ts"

/**
 * The endpoint under generated bad input, as shipped: one spawned `serve` over an Okta and a Zendesk simulator
 * account, thousands of generated query strings (wrong types, unknown and repeated parameters, huge values,
 * unicode, injection-looking text, real next_cursors mutated). Whatever comes in, the answer is a page
 * (200, `result` array, `next_cursor` string or null) or a 4xx in the error shape whose invalid_parameter
 * names the parameter at fault; never a 5xx, never a dead process.
 */
const dir = mkdtempSync(join(tmpdir(), "connector-endpoint-properties-"))
const scope = Effect.runSync(Scope.make())
const ids = { okta: randomUUID(), zendesk: randomUUID() }
let serve: RunningCommand
let api = ""
let management = ""
/** Real next_cursors the process issued, with the query they continue. */
const issued: Array<{ readonly cursor: string; readonly query: Record<string, string> }> = []

interface Answer {
  readonly status: number
  readonly body: unknown
  readonly text: string
}

/** `query` is sent as written: malformed percent-escapes, repeated names and all. */
const get = async (query: string): Promise<Answer> => {
  const response = await fetch(`${api}/unified/user-directory/activities?${query}`, {
    headers: { authorization: `Bearer ${testApiKey}` },
  })
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, body, text }
}

const encode = (pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&")

/** The query as the URL parser sends it (a `#` starts the fragment), decoded: the names a 400 may point at. */
const decodedNames = (query: string) => new Set(new URL(`http://h/?${query}`).searchParams.keys())

/**
 * Node refuses a request line and headers over 16 KiB (its max header size) with a bare 431 before the app
 * sees the request: accepted for a query that, percent-encoded as sent, comes near that size.
 */
const overHeaderLimit = (query: string) => new URL(`http://h/?${query}`).search.length > 15_000

/** The property every answer must have; returns why not, or undefined. */
const problemWith = (query: string, answer: Answer): string | undefined => {
  const { status, body } = answer
  if (status >= 500) return `answered ${status}`
  if (status === 431 && overHeaderLimit(query)) return undefined
  if (status === 200) {
    const page = body as { result?: unknown; next_cursor?: unknown } | undefined
    if (!Array.isArray(page?.result)) return "200 without a result array"
    if (!(page.next_cursor === null || typeof page.next_cursor === "string"))
      return "200 whose next_cursor is neither a string nor null"
    for (const activity of page.result as Array<Record<string, unknown>>) {
      if (typeof activity.id !== "string" || typeof activity.created_at !== "string")
        return "an activity without id or created_at"
    }
    return undefined
  }
  if (status < 400) return `answered ${status}`
  const error = (body as { error?: { code?: unknown; message?: unknown; param?: unknown } } | undefined)
    ?.error
  if (typeof error?.code !== "string" || typeof error.message !== "string" || error.message === "")
    return `${status} without an error code and message`
  if (error.code === "invalid_parameter") {
    if (status !== 400) return `invalid_parameter with ${status}`
    if (typeof error.param !== "string") return "invalid_parameter without param"
    if (!decodedNames(query).has(error.param) && error.param !== "integrated_account_id")
      return `param ${JSON.stringify(error.param)} is not a parameter of the query`
    if (!error.message.includes(error.param) && !error.message.includes(JSON.stringify(error.param)))
      return "the message does not name the parameter"
  }
  return undefined
}

/** Answers by status and error code, so the run shows it reached the pages and not only the 400s. */
const tally = new Map<string, number>()
const count = (answer: Answer) => {
  const code = (answer.body as { error?: { code?: string } } | undefined)?.error?.code
  const key = code === undefined ? String(answer.status) : `${answer.status} ${code}`
  tally.set(key, (tally.get(key) ?? 0) + 1)
}

const expectAnswered = async (queries: ReadonlyArray<string>) => {
  const answers = await Promise.all(queries.map(get))
  answers.forEach(count)
  answers.forEach((answer, i) => {
    const query = queries[i] as string
    const problem = problemWith(query, answer)
    expect(problem, `${problem}\nquery: ${query.slice(0, 400)}\nanswer: ${answer.text.slice(0, 400)}`).toBe(
      undefined,
    )
  })
}

// ---- generators -------------------------------------------------------------------------------------------

const knownNames = queryParamNames

const injections = [
  "' OR 1=1--",
  '"; DROP TABLE activities; --',
  '" or actor.id pr or "',
  '\\" or 1 eq 1 or \\"',
  "<script>alert(1)</script>",
  "$" + "{jndi:ldap://127.0.0.1/a}",
  "{{7*7}}",
  "../../../../etc/passwd",
  "\u0000",
  "\r\nSet-Cookie: a=b",
  "%00",
  "%zz",
  "%E0%A4%A",
  "$where",
  '{"$gt":""}',
  "__proto__",
]

const numberish = [
  "-1",
  "0",
  "1e3",
  "NaN",
  "Infinity",
  "0x10",
  "1.5",
  " 5",
  "05",
  "5 ",
  "200",
  "201",
  "9".repeat(40),
  "true",
  "[]",
  "{}",
  "null",
]

const dateish = [
  "2024-05-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "2024-05-01T00:00:00+02:00",
  "2024-05-01T00:00:00 02:00",
  "2024-05-01",
  "1714521600",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "275760-09-13T00:00:00Z",
  "2024-05-01T24:00:00Z",
  "2024-05-01T00:00:60Z",
  "2024-05-01t00:00:00z",
  "2024-05-01T00:00:00.123456789Z",
]

const actions = ["create", "login", "login_failed", "logout", "user_created", "updated", "LOGIN", "login "]

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom(...injections),
)

const huge = fc
  .tuple(fc.constantFrom("a", "é", "%", "😀", "0"), fc.constantFrom(500, 4_000, 12_000, 20_000))
  .map(([unit, times]) => unit.repeat(times))

const accountId = fc.oneof(
  fc.constantFrom(ids.okta, ids.zendesk, ids.okta.toUpperCase(), ` ${ids.okta}`),
  fc.uuid().map(String),
  text,
)

const valueFor = (name: string) => {
  switch (name) {
    case "integrated_account_id":
      return accountId
    case "limit":
      return fc.oneof(fc.constantFrom(...numberish), fc.integer().map(String), text)
    case "created_at":
      return fc.oneof(
        fc.constantFrom(...dateish),
        fc
          .date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
          .map((d) => d.toISOString()),
        text,
      )
    case "action":
      return fc.oneof(fc.constantFrom(...actions), text)
    case "next_cursor":
      return fc.oneof(fc.base64String({ maxLength: 120 }), text)
    default:
      return fc.oneof(text, fc.constantFrom("1", "user", "127.0.0.1", "::1"))
  }
}

const name = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...knownNames) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(
        "LIMIT",
        "limit[]",
        "cursor",
        "format",
        "__proto__",
        "constructor",
        "toString",
        "",
        " limit",
      ),
      text,
    ),
  },
)

const pair = name.chain((n) =>
  fc
    .oneof({ weight: 24, arbitrary: valueFor(n) }, { weight: 1, arbitrary: huge })
    .map((v) => [n, v] as const),
)

/** Usually a real account first, so the rest gets past the id check; then up to five more pairs. */
const query = fc
  .tuple(
    fc.option(
      fc.constantFrom(ids.okta, ids.zendesk).map((id) => ["integrated_account_id", id] as const),
      { freq: 4 },
    ),
    fc.array(pair, { maxLength: 5 }),
    fc.boolean(),
  )
  .map(([first, rest, raw]) => {
    const pairs = first === null ? rest : [first, ...rest]
    // Raw: names and values as generated, unescaped; the URL parser escapes what it must and leaves the rest.
    return raw ? pairs.map(([n, v]) => `${n}=${v}`).join("&") : encode(pairs)
  })

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/** A real cursor changed: a character flipped, cut short, extended, spliced, or sent with another account. */
const mutatedCursor = fc
  .tuple(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom("flip", "truncate", "extend", "splice", "swap"), text)
  .map(([which, at, by, how, extra]) => {
    const original = issued[which % issued.length] as (typeof issued)[number]
    const cursor = original.cursor
    const i = at % cursor.length
    const query = { ...original.query }
    let mutated = cursor
    if (how === "flip") {
      const c = base64url[(base64url.indexOf(cursor[i] as string) + 1 + (by % 63)) % 64] as string
      mutated = cursor.slice(0, i) + c + cursor.slice(i + 1)
    } else if (how === "truncate") mutated = cursor.slice(0, i)
    else if (how === "extend") mutated = cursor + (extra === "" ? "A" : extra)
    else if (how === "splice") mutated = cursor.slice(0, i) + extra + cursor.slice(i + (by % 5))
    else
      query.integrated_account_id =
        query.integrated_account_id === ids.okta ? ids.zendesk : (ids.okta as string)
    return { original: cursor, mutated, how, query: { ...query, next_cursor: mutated } }
  })

// ---- the process ------------------------------------------------------------------------------------------

beforeAll(async () => {
  const { okta, zendesk } = await Effect.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const okta = yield* startOktaSimulator({ seed: 5, historySize: 40, rateLimit: 1_000_000 })
        const zendesk = yield* startZendeskSimulator({
          seed: 5,
          historySize: 40,
          requestsPerMinute: 1_000_000,
        })
        return { okta, zendesk }
      }),
      scope,
    ),
  )
  const file = writeConfig(
    dir,
    "properties",
    [simulatedAccount(okta, ids.okta), simulatedAccount(zendesk, ids.zendesk)],
    // Generated requests come four at a time per account: the replay caps are not what is under test.
    { server: { replay: { max_concurrent_per_account: 16 } } },
  )
  serve = startCommand(["serve", "--config", file])
  ;({ api, management } = await listeners(serve))
  for (const [id, filters] of [
    [ids.okta, {}],
    [ids.okta, { action: "login" }],
    [ids.zendesk, {}],
    [ids.zendesk, { created_at: "2000-01-01T00:00:00Z" }],
  ] as const) {
    const query: Record<string, string> = { integrated_account_id: id, limit: "3", ...filters }
    const page = await get(new URLSearchParams(query).toString())
    const cursor = (page.body as { next_cursor?: string | null }).next_cursor
    if (page.status !== 200 || typeof cursor !== "string") throw new Error(`no cursor: ${page.text}`)
    issued.push({ cursor, query })
  }
}, 120_000)

afterAll(async () => {
  serve?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("GET /unified/user-directory/activities under generated input", () => {
  it.prop([fc.array(query, { minLength: 4, maxLength: 4 })], { numRuns: 300 })(
    "any query string: a page, or a 4xx naming the problem; never a 5xx",
    (queries) => expectAnswered(queries),
    120_000,
  )

  it.prop([fc.array(mutatedCursor, { minLength: 4, maxLength: 4 })], { numRuns: 100 })(
    "a real next_cursor altered: 400 naming next_cursor, unless it still decodes to the same bytes",
    async (cases) => {
      const answers = await Promise.all(cases.map((c) => get(new URLSearchParams(c.query).toString())))
      answers.forEach((answer, i) => {
        const { original, mutated, how } = cases[i] as (typeof cases)[number]
        const same =
          how !== "swap" &&
          /^[A-Za-z0-9_-]+$/.test(mutated) &&
          Buffer.from(mutated, "base64url").equals(Buffer.from(original, "base64url"))
        const what = `${how} ${JSON.stringify(mutated).slice(0, 200)}: ${answer.text.slice(0, 300)}`
        if (same) expect(answer.status, what).toBe(200)
        else {
          expect(answer.status, what).toBe(400)
          expect(answer.body, what).toMatchObject({
            error: { code: "invalid_parameter", param: "next_cursor" },
          })
        }
      })
    },
    120_000,
  )

  it("reached pages as well as refusals, and is still alive and healthy, and still pages", async () => {
    console.log("answers to generated queries:", Object.fromEntries([...tally].sort()))
    const total = [...tally.values()].reduce((a, b) => a + b, 0)
    expect(total).toBe(1_200)
    expect(tally.get("200") ?? 0).toBeGreaterThan(total / 10)
    expect(serve.child.exitCode).toBeNull()
    expect((await fetch(`${management}/healthz`)).status).toBe(200)
    for (const { cursor, query } of issued) {
      const page = await get(new URLSearchParams({ ...query, next_cursor: cursor }).toString())
      expect(page.status, page.text).toBe(200)
    }
    expect(serve.output.stderr).not.toMatch(/unhandled|uncaught|FATAL/i)
  })
})
