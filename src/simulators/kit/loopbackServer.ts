import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Effect } from "effect"

/**
 * The HTTP server under every provider simulator: listens on 127.0.0.1 (port 0 = any free one) for the life
 * of the scope and hands each request, with the server's own origin, to the simulator's handler.
 */
export const serveOnLoopback = (
  port: number | undefined,
  handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
) =>
  Effect.gen(function* () {
    const server = yield* Effect.acquireRelease(
      Effect.async<Server>((resume) => {
        const server = createServer()
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
    const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`
    server.on("request", (req, res) => handle(req, res, origin))
    return origin
  })
