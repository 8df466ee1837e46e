import { type IncomingMessage, request, type ServerResponse } from "node:http"
import { Effect } from "effect"
import { serveOnLoopback } from "../../src/simulators/kit/serveOnLoopback.ts"

/**
 * How the provider misbehaves, each the way a real one (or what stands in front of it) has been seen to:
 * - `malformed_json`: a 200 JSON answer that does not parse.
 * - `truncated_body`: the body cut in half, its content-length cut to match (a proxy that gave up).
 * - `wrong_content_type`: a 200 HTML page, as a captive portal or a login wall answers.
 * - `huge_page`: a 50 MB page of records, streamed without a content-length.
 * - `huge_page_declared`: the same page, its content-length announced first.
 * - `missing_pagination`: the page without its `link` headers.
 * - `stuck_cursor`: `rel="next"` points back at the request that was made: the cursor never advances.
 * - `hang_after_headers`: a 200 and its headers, then nothing, for ever.
 * - `reset_mid_body`: half the declared body, then the connection is reset.
 * - `unusable_records`: every other record of the page loses its `uuid` (records the connector must not
 *   publish, but must not lose either).
 */
export const Misbehaviours = [
  "malformed_json",
  "truncated_body",
  "wrong_content_type",
  "huge_page",
  "huge_page_declared",
  "missing_pagination",
  "stuck_cursor",
  "hang_after_headers",
  "reset_mid_body",
  "unusable_records",
] as const
export type Misbehaviour = (typeof Misbehaviours)[number]

export interface MisbehavingProvider {
  /** Configure this as the account's `base_url`. */
  readonly origin: string
  /** Requests received so far. */
  readonly requests: () => number
  /** When the first request came in (performance.now()), if one has. */
  readonly firstRequestAt: () => number | undefined
  /** Bytes of the huge page written before the client stopped reading it. */
  readonly hugeBytesWritten: () => number
}

export const hugePageBytes = 50 * 1024 * 1024

const okta = { "content-type": "application/json" }

/**
 * A server on 127.0.0.1 in front of an Okta System Log simulator (`upstream`): every request is forwarded,
 * and the answer is spoilt as `behaviour` says before the client gets it. Test tooling only: what is under
 * test is the connector, which must fail the account clearly, keep its memory, and go on with the others.
 */
export const misbehavingProvider = (upstream: string, behaviour: Misbehaviour) =>
  Effect.gen(function* () {
    let requests = 0
    let firstRequestAt: number | undefined
    let hugeBytesWritten = 0
    const target = new URL(upstream)

    /** The upstream's answer, whole: Okta pages of a test's size are small. */
    const fromUpstream = (req: IncomingMessage) =>
      new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((ok, fail) => {
        const outgoing = request(
          new URL(req.url ?? "/", target),
          { method: req.method ?? "GET", headers: { ...req.headers, host: target.host } },
          (answer) => {
            const chunks: Buffer[] = []
            answer.on("data", (chunk: Buffer) => chunks.push(chunk))
            answer.on("end", () =>
              ok({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
            )
            answer.on("error", fail)
          },
        )
        outgoing.on("error", fail)
        outgoing.end()
      })

    /** Written as fast as the client reads it, stopping when it goes away. */
    const streamHugePage = (res: ServerResponse, record: unknown, declared: boolean) => {
      const item = Buffer.from(`${JSON.stringify(record)},`)
      const chunk = Buffer.concat(Array.from({ length: Math.ceil(65_536 / item.length) }, () => item))
      const chunks = Math.floor((hugePageBytes - 2) / chunk.length)
      const total = 1 + chunks * chunk.length + 3
      res.writeHead(200, { ...okta, ...(declared ? { "content-length": String(total) } : {}) })
      res.write("[")
      let sent = 0
      const more = () => {
        while (sent < chunks && !res.destroyed) {
          sent++
          hugeBytesWritten += chunk.length
          if (!res.write(chunk)) return void res.once("drain", more)
        }
        if (!res.destroyed) res.end("{}]")
      }
      more()
    }

    // Closing the server closes every connection, the hanging answers' too.
    const origin = yield* serveOnLoopback(undefined, (req: IncomingMessage, res: ServerResponse) => {
      requests++
      firstRequestAt ??= performance.now()
      req.resume()
      res.on("error", () => undefined)
      fromUpstream(req).then(
        ({ status, headers, body }) => {
          const { "content-length": _length, "transfer-encoding": _te, connection: _c, ...kept } = headers
          // The upstream's links point at itself; through here, the client stays on this origin.
          if (kept.link !== undefined)
            kept.link = [kept.link].flat().map((link) => link.replaceAll(target.origin, origin))
          if (status !== 200) {
            res.writeHead(status, kept).end(body)
            return
          }
          const records = JSON.parse(body.toString("utf8")) as Array<Record<string, unknown>>
          switch (behaviour) {
            case "malformed_json":
              res.writeHead(200, kept).end(`${body.toString("utf8").slice(0, -1)},{"uuid": }`)
              return
            case "truncated_body": {
              const cut = body.subarray(0, Math.floor(body.length / 2))
              res.writeHead(200, { ...kept, "content-length": String(cut.length) }).end(cut)
              return
            }
            case "wrong_content_type":
              res
                .writeHead(200, { ...kept, "content-type": "text/html; charset=utf-8" })
                .end("<!doctype html><html><body><h1>Please sign in</h1></body></html>")
              return
            case "huge_page":
            case "huge_page_declared":
              streamHugePage(res, records[0] ?? { uuid: "x" }, behaviour === "huge_page_declared")
              return
            case "missing_pagination": {
              const { link: _link, ...unlinked } = kept
              res.writeHead(200, unlinked).end(body)
              return
            }
            case "stuck_cursor":
              res.writeHead(200, { ...kept, link: `<${origin}${req.url}>; rel="next"` }).end(body)
              return
            case "hang_after_headers":
              res.writeHead(200, { ...kept, "content-length": String(body.length) })
              res.flushHeaders()
              return
            case "reset_mid_body":
              res.writeHead(200, { ...kept, "content-length": String(body.length) })
              res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.resetAndDestroy())
              return
            case "unusable_records":
              res.writeHead(200, kept).end(
                JSON.stringify(
                  records.map((record, i) => {
                    if (i % 2 === 0) return record
                    const { uuid: _uuid, ...withoutUuid } = record
                    return withoutUuid
                  }),
                ),
              )
              return
          }
        },
        () => res.destroy(),
      )
    })

    return {
      origin,
      requests: () => requests,
      firstRequestAt: () => firstRequestAt,
      hugeBytesWritten: () => hugeBytesWritten,
    } satisfies MisbehavingProvider
  })
