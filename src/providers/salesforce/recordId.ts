import { isSalesforceId } from "./soql.ts"

interface IdentifiedRow {
  readonly Id?: string | null | undefined
  readonly attributes?: { readonly url: string } | undefined
}

/**
 * The id a query row names itself by: `Id` when selected, else the last path segment of `attributes.url`
 * (`/services/data/vXX.X/sobjects/<Type>/<Id>`), which is the same id. Undefined unless it is a Salesforce id.
 */
export const recordIdOf = (row: IdentifiedRow): string | undefined => {
  const id = row.Id ?? row.attributes?.url.split("/").at(-1)
  return id !== undefined && isSalesforceId(id) ? id : undefined
}

/** A schema filter: the row must carry an id. */
export const hasRecordId = (row: IdentifiedRow): string | undefined =>
  recordIdOf(row) === undefined
    ? "a Salesforce id in Id or at the end of attributes.url (15 or 18 letters and digits)"
    : undefined
