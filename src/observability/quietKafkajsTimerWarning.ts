/**
 * kafkajs 2.2.4's request queue arms a timer with a negative delay when nothing is throttled
 * (`scheduleCheckPendingRequests`: `throttledUntil - Date.now()` with `throttledUntil = -1`), which Node ≥ 23
 * reports as a TimeoutNegativeWarning on stderr; the timer behaves as a 1 ms timer, as on older Node. This
 * drops that one warning and lets every other warning print as before.
 */
export const quietKafkajsTimerWarning = () => {
  process.removeAllListeners("warning")
  process.on("warning", (warning) => {
    if (warning.name !== "TimeoutNegativeWarning") console.warn(warning)
  })
}
