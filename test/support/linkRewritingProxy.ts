import { type IncomingMessage, request, type ServerResponse } from "node:http"
import { Effect } from "effect"
import { serveOnLoopback } from "../../src/simulators/kit/serveOnLoopback.ts"

export interface LinkRewritingProxy {
  /** Configure this as the account's `base_url`. */
  readonly origin: string
  /** Upstream answers received so far; a request still in flight is not counted. */
  readonly answered: () => number
  /** Upstream answers that carried a `link` header, which the proxy then rewrote or removed. */
  readonly linksRewritten: () => number
}

/** What to send instead of the upstream's `link` header; undefined drops it. */
export type LinkRewrite = (
  link: string,
  request: { readonly path: string; readonly origin: string },
) => string | undefined

/** Points the upstream's links at the proxy, so the client stays on the proxy's origin. */
export const linksThroughProxy =
  (upstream: string): LinkRewrite =>
  (link, { origin }) =>
    link.replaceAll(new URL(upstream).origin, origin)

/** Drops the header: a proxy that strips what it does not know. */
export const stripLink: LinkRewrite = () => undefined

/** `rel="next"` points at the very request that was made: a broken cache or gateway that replays itself. */
export const nextIsSelf: LinkRewrite = (_link, { path, origin }) => `<${origin}${path}>; rel="next"`

/**
 * A reverse proxy on 127.0.0.1 in front of `upstream`: everything passes through as it is, except the
 * response's `link` header. Standing between the connector and a provider simulator, it plays the proxy or
 * gateway that breaks pagination without the provider (or the simulator) doing anything wrong.
 */
export const linkRewritingProxy = (
  upstream: string,
  rewrite: LinkRewrite,
  options: {
    /** Held this long before it is forwarded: a slow provider, for requests in flight at shutdown. */
    readonly delayMs?: number
    /** Held until this settles: a provider that stays silent until the test lets it answer. */
    readonly until?: () => Promise<void>
  } = {},
) =>
  Effect.gen(function* () {
    let answered = 0
    let linksRewritten = 0
    const target = new URL(upstream)
    const forward = (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? "/"
      const outgoing = request(
        new URL(path, target),
        { method: req.method ?? "GET", headers: { ...req.headers, host: target.host } },
        (answer) => {
          answered++
          const headers = { ...answer.headers }
          const link = headers.link
          if (link !== undefined) {
            linksRewritten++
            const replaced = rewrite(Array.isArray(link) ? link.join(", ") : link, { path, origin })
            if (replaced === undefined) delete headers.link
            else headers.link = replaced
          }
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        },
      )
      outgoing.on("error", () => res.destroy())
      req.pipe(outgoing)
      req.resume()
    }
    const origin = yield* serveOnLoopback(undefined, (req, res) => {
      if (options.delayMs || options.until) req.pause()
      setTimeout(
        () => void (options.until?.() ?? Promise.resolve()).then(() => forward(req, res)),
        options.delayMs ?? 0,
      )
    })
    return {
      origin,
      answered: () => answered,
      linksRewritten: () => linksRewritten,
    } satisfies LinkRewritingProxy
  })
