import { Schema } from "effect"
import { UtcInstant } from "./Activity.ts"
import { RecordEnvelope } from "./RecordEnvelope.ts"

/** The value of a record on the dead-letter topic: a provider record that could not be published, and why. */
export const DeadLetterRecord = Schema.Struct({
  ...RecordEnvelope.fields,
  stage: Schema.Literal("decode", "map").annotations({
    description:
      "decode: the provider's record did not match its schema; map: it could not become an Activity, or its Activity cannot fit in kafka.max_message_bytes.",
  }),
  reason: Schema.String.annotations({ description: "Why, for a human; capped at 4096 characters." }),
  dead_lettered_at: UtcInstant.annotations({ description: "When the connector dead-lettered the record." }),
  raw: Schema.Unknown.annotations({
    // Given whole: the generated one for unknown carries an `$id` of its own, which would rebase references.
    jsonSchema: {
      // Any JSON value, spelled so that strict validators (Ajv's strictTypes) accept it.
      anyOf: ["null", "boolean", "number", "string", "array", "object"].map((type) => ({ type })),
      description:
        'The provider\'s record as it was sent, any JSON value; `{"_truncated": true, "_original_bytes": n}` when it would not fit in kafka.max_message_bytes.',
    },
  }),
}).annotations({
  identifier: "DeadLetterRecord",
  title: "Dead letter record",
  description: "The value of a record on the dead-letter topic.",
})
export type DeadLetterRecord = typeof DeadLetterRecord.Type
