import { readFileSync } from "node:fs"
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js"
import addFormatsPlugin from "ajv-formats"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { publishedSchemas } from "../../src/domain/PublishedSchemas.ts"

// ajv-formats is CommonJS: its default import is the plugin itself, though its types say `.default`.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default

type Topic = keyof typeof publishedSchemas

/** A schema as committed under schemas/ (what consumers get), parsed. */
export const committedSchema = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), "utf8"))

/**
 * Ajv (draft 2020-12, the dialect JSONSchema.make is asked for; strict, so an unknown keyword is an error, and
 * with ajv-formats, so `date-time` is checked) with every committed schema, one validator per topic.
 */
export const recordValidators = (): Record<Topic, ValidateFunction> => {
  const ajv = new Ajv2020({ strict: true, allErrors: true })
  addFormats(ajv)
  const compile = (topic: Topic) => ajv.compile(committedSchema(publishedSchemas[topic].file) as object)
  return {
    activities: compile("activities"),
    login_failed: compile("login_failed"),
    dead_letter: compile("dead_letter"),
    ocsf: compile("ocsf"),
  }
}

/** The validator for a topic of `kafka`'s, by the topic's configured name. */
export const validatorForTopic = (
  validators: Record<Topic, ValidateFunction>,
  topics: ConnectorConfig["kafka"]["topics"],
  topic: string,
): ValidateFunction => {
  const found = (Object.keys(validators) as Topic[]).find((key) => topics[key] === topic)
  if (found === undefined) throw new Error(`no published schema for topic ${topic}`)
  return validators[found]
}

/** Ajv's errors, one line each, for a failing expectation's message. */
export const describeErrors = (errors: ReadonlyArray<ErrorObject> | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("; ")
