import { createServer } from "node:net"

const portFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const server = createServer()
    server.once("error", () => ok(false))
    server.listen(port, "127.0.0.1", () => server.close(() => ok(true)))
  })

/** A free client port whose neighbour (the KRaft controller's) is free too. */
export const freePortPair = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((ok, fail) => {
      const server = createServer()
      server.once("error", fail)
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() =>
          typeof address === "object" && address ? ok(address.port) : fail(new Error("no port")),
        )
      })
    })
    if (port < 65000 && (await portFree(port + 1))) return port
  }
  throw new Error("no free pair of loopback ports")
}
