import type { LoggedRequest, SimulatorServer } from "./serveSimulator.ts"

/** What every simulator's request log shows of a request: never a credential, only the scheme it came under. */
export interface RequestBasics {
  readonly method: string
  readonly path: string
  /** The query string, decoded (a repeated parameter keeps its last value). */
  readonly params: Readonly<Record<string, string>>
  readonly authScheme: string | undefined
  readonly status: number
  readonly receivedAt: number
}

/** One request as a simulator's handle shows it: the basics and `Fields`, which win over a basic of the same name. */
export type RequestReceived<Fields extends object = Record<never, never>> = Fields &
  Omit<RequestBasics, keyof Fields>

/** A note's fields, each there when the reply noted it. */
type NoteFields<Note> = [Note] extends [never] ? Record<never, never> : Partial<Note>

/**
 * The server's request log as the simulator's handle shows it, oldest first: each request's basics with its
 * note's fields spread in, or with what `fields` reads off the logged request; a request `fields` answers
 * `undefined` for is left out.
 */
export function requestLog<Note>(
  server: SimulatorServer<Note>,
): () => ReadonlyArray<RequestReceived<NoteFields<Note>>>
export function requestLog<Note, Fields extends object>(
  server: SimulatorServer<Note>,
  fields: (request: LoggedRequest<Note>) => Fields | undefined,
): () => ReadonlyArray<RequestReceived<Fields>>
export function requestLog<Note>(
  server: SimulatorServer<Note>,
  fields: (request: LoggedRequest<Note>) => object | undefined = (request) => request.note ?? {},
): () => ReadonlyArray<RequestReceived> {
  return () =>
    server.requests().flatMap((request) => {
      const extra = fields(request)
      if (extra === undefined) return []
      const { method, path, query, authScheme, status, receivedAt } = request
      return [{ method, path, params: query, authScheme, status, receivedAt, ...extra }]
    })
}
