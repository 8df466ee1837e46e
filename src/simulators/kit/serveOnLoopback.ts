import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"

/**
 * The HTTP server under every simulator: listens on 127.0.0.1 (port 0 or none = any free one) for the life of
 * the scope and hands each request, with the server's own origin, to `handle`. Returns that origin.
 */
export const serveOnLoopback = (
  port: number | undefined,
  handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function* () {
    let origin = ""
    const server = yield* Effect.acquireRelease(
      Effect.async<Server>((resume) => {
        const server = createServer((req, res) => handle(req, res, origin))
        server.once("error", (error) => resume(Effect.die(error)))
        server.listen(port ?? 0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          // Keep-alive sockets from the client's pool would otherwise hold close() open.
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        }),
    )
    const address = server.address()
    origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`
    return origin
  })
