import { JSONSchema, type Schema } from "effect"
import { ActivityRecord, LoginFailedRecord } from "./ActivityRecord.ts"
import { DeadLetterRecord } from "./DeadLetterRecord.ts"
import { OcsfEvent } from "./OcsfEvent.ts"
import { RecordSchemaVersion, recordSchemaMajor } from "./RecordEnvelope.ts"

/**
 * A JSON Schema of one kind of Kafka value, as published: committed under `schemas/<file>` (by
 * `npm run schemas`), served at `/schemas/<file>`, and named by `id` in each record's `ce_dataschema`.
 */
export interface PublishedSchema {
  /** Path under `schemas/` in the repository and under `/schemas/` on the API listener. */
  readonly file: string
  /** The schema's `$id` and the records' `ce_dataschema`: a URN, so it names the schema wherever it is served. */
  readonly id: string
  readonly document: { readonly $id: string; readonly [keyword: string]: unknown }
}

const published = <A, I>(name: string, schema: Schema.Schema<A, I>): PublishedSchema => {
  const file = `${recordSchemaMajor}/${name}.json`
  const id = `urn:siem-connector:schemas/${file}`
  const { $schema, ...rest } = JSONSchema.make(schema, { target: "jsonSchema2020-12" })
  return {
    file,
    id,
    document: { $schema, $id: id, $comment: `schema_version ${RecordSchemaVersion}`, ...rest },
  }
}

/** Every kind of value the connector writes to Kafka, by topic. */
export const publishedSchemas = {
  activities: published("activity", ActivityRecord),
  login_failed: published("login-failed", LoginFailedRecord),
  dead_letter: published("dead-letter", DeadLetterRecord),
  ocsf: published("ocsf", OcsfEvent),
} as const
