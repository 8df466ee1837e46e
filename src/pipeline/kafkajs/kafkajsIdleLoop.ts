import { createRequire } from "node:module"

/** kafkajs's check delay when requests wait and nothing is throttled (its CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_REQUESTS_MS = 10

interface RequestQueueState {
  pending: ReadonlyArray<unknown>
  throttledUntil: number
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
  checkPendingRequests: () => void
}

/**
 * kafkajs 2.2.4, the last release, re-arms a timer in every connection's request queue with a negative delay
 * when nothing is pending (`scheduleCheckPendingRequests`: `throttledUntil - Date.now()` with `throttledUntil`
 * -1), so every idle connection spins at about 1 ms (kafkajs issues #1556, #1704; the fixes, #1667 and #1768,
 * were never merged or released; Node ≥ 23 also prints a TimeoutNegativeWarning for each). The connector keeps
 * a transactional producer, so a connection, per account: 1,000 idle accounts spent 48 % of a core spinning
 * (bench --only accounts). No maintained kafkajs release has the fix, and the card keeps kafkajs, so this
 * replaces that one method on the queue's prototype, once per process.
 *
 * The replacement does what the original does when requests wait: check again when the throttle ends, or in
 * 10 ms. With nothing pending it arms nothing: `push` schedules a check whenever it queues a request, and every
 * answered or timed-out request checks the queue itself.
 */
export const stopKafkajsIdleLoop = () => {
  if (stopped) return
  const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as {
    prototype?: { scheduleCheckPendingRequests?: unknown }
  }
  const prototype = RequestQueue.prototype
  if (typeof prototype?.scheduleCheckPendingRequests !== "function") {
    // A kafkajs whose internals moved: fail at start rather than spin unnoticed.
    throw new Error(
      "kafkajs's RequestQueue.scheduleCheckPendingRequests is gone: review src/pipeline/kafkajs/kafkajsIdleLoop.ts",
    )
  }
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.pending.length === 0 || this.throttleCheckTimeoutId !== null) return
    const untilUnthrottled = this.throttledUntil - Date.now()
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null
        this.checkPendingRequests()
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_MS,
    )
  }
  stopped = true
}

let stopped = false
