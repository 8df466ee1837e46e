import { Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

/**
 * A row's `time`: ISO 8601 with an explicit zone (Zoom writes `2019-09-15T19:13:41Z`). A zone-less time is
 * refused rather than read in the host's zone, which would give the same row different ids on different hosts.
 */
export const ZoomTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    utcInstant(text) !== undefined
      ? undefined
      : `an ISO 8601 instant with a zone, e.g. 2019-09-15T19:13:41Z; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "ZoomTime" }),
)

/** Zoom leaves some fields out, and may send them as null; either way the field is absent. */
export const optionalText = Schema.optional(Schema.NullOr(Schema.String))
