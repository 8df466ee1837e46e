import { Effect } from "effect"

/** The API listener's traffic at one moment, as work that pauses the process reads it. */
export interface ApiTraffic {
  /** Requests received whose response has not closed yet. */
  readonly inFlight: number
  /** How long no request has been in flight; 0 while one is, Infinity if none ever came. */
  readonly quietForMs: number
}

/**
 * Counts the API listener's requests in flight, from the moment Node.js hands over a request until its
 * response closes (sent, or the client gone): the time a request waits for a slot or for the event loop
 * counts too, which a middleware around the handler would not see. `freedHeapPages` waits for a quiet moment
 * here before it pauses the process.
 */
export class RequestsInFlight extends Effect.Service<RequestsInFlight>()("RequestsInFlight", {
  effect: Effect.map(Effect.clock, (clock) => {
    let inFlight = 0
    let lastEndedAtMs = Number.NEGATIVE_INFINITY
    return {
      /** One request arrived: returns what to call once, when its response has closed. */
      arrived: (): (() => void) => {
        inFlight++
        let ended = false
        return () => {
          if (ended) return
          ended = true
          inFlight--
          lastEndedAtMs = clock.unsafeCurrentTimeMillis()
        }
      },
      traffic: Effect.sync(
        (): ApiTraffic => ({
          inFlight,
          quietForMs: inFlight > 0 ? 0 : clock.unsafeCurrentTimeMillis() - lastEndedAtMs,
        }),
      ),
    }
  }),
}) {}
