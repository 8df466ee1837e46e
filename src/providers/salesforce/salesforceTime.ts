import { Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

// Salesforce writes dateTime values in UTC as `2023-07-23T16:18:23.000+0000`: milliseconds (always `.000` for
// LoginTime and CreatedDate in practice) and an offset without a colon. JavaScript's Date does not promise to
// read that offset, so it is rewritten to `+00:00` before parsing.

const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})$/

/** The UTC instant (`…000Z`) of a Salesforce dateTime, or undefined when it is not one. */
export const salesforceInstant = (text: string): string | undefined => {
  const match = DATETIME.exec(text)
  if (match === null) return undefined
  const [, local, zone = "Z"] = match
  const offset = zone === "Z" || zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
  return utcInstant(`${local}${offset}`)
}

/** A dateTime field as the REST API answers it; anything without an explicit zone is refused. */
export const SalesforceDateTime = Schema.String.pipe(
  Schema.filter((text) =>
    salesforceInstant(text) === undefined
      ? `a Salesforce dateTime such as 2023-07-23T16:18:23.000+0000; got ${JSON.stringify(text)}`
      : undefined,
  ),
  Schema.annotations({ identifier: "SalesforceDateTime" }),
)

/** Salesforce leaves unselected fields out and sends selected empty ones as null: either way, absent. */
export const optionalText = Schema.optional(Schema.NullOr(Schema.String))
