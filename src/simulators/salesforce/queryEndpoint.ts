import { randomBytes } from "node:crypto"
import { Either } from "effect"
import { salesforceInstant } from "../../providers/salesforce/salesforceTime.ts"
import type { OrgObject } from "./orgRecords.ts"
import type { FieldDescribe } from "./sobjectCatalog.ts"
import { matches, orderRows, parseSoql, type SoqlQuery } from "./soqlQuery.ts"

// The query resources: `GET /services/data/vXX.X/query?q=<SOQL>` and `GET /services/data/vXX.X/query/<locator>`
// (Query More Results; `queryAll/<locator>` answers the same). Documented: up to 2,000 rows a batch, fewer when
// Salesforce decides so, the `Sforce-Query-Options: batchSize=` hint (200–2,000), `totalSize`/`done`/
// `nextRecordsUrl`, the locator only as "a string" (`01gD0000002HU6KIAW-2000` in the examples, the shape used
// unless `queryLocator` says otherwise). Chosen here (not documented in these terms): a query's rows are fixed
// when it runs (later rows belong to later queries); a locator dies after 15 idle minutes, and only the 10
// newest stay open; a dead one answers 400 INVALID_QUERY_LOCATOR.

/** A row as the org keeps it, filed at `at` (ms): what its time filters and order go by when its time field is unreadable. */
export interface StoredRecord {
  readonly seq: number
  readonly at: number
  readonly object: OrgObject
  readonly row: Readonly<Record<string, unknown>>
}

export interface QueryAnswer {
  readonly status: number
  readonly body: unknown
  readonly errorCode?: string
  /** Rows in this batch, for a 200. */
  readonly rows?: number
}

export interface QueryEndpointOptions {
  /** At most this many rows a batch whatever the hint: Salesforce "can return fewer". */
  readonly maxBatchSize?: number
  readonly locatorIdleMs?: number
  readonly maxOpenLocators?: number
  /**
   * The text of the locator for the batch at `offset` of query `id`, for shapes other than the documented
   * example's `<id>-<offset>`; it must be unique per query and offset, and lands in the path as given.
   */
  readonly queryLocator?: (id: string, offset: number) => string
  /** What a batch names as `nextRecordsUrl` instead of the path it would (a hostile or broken org). */
  readonly nextRecordsUrl?: (path: string) => string
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const locatorId = () => `01g${Array.from(randomBytes(15), (b) => ALNUM[b % ALNUM.length]).join("")}`

const error = (status: number, errorCode: string, message: string): QueryAnswer => ({
  status,
  errorCode,
  body: [{ message, errorCode }],
})

/** A row's field as the evaluator compares it: the time field falls back to the moment the row is filed at. */
const fieldOf = (record: StoredRecord, field: FieldDescribe): unknown => {
  const value = record.row[field.name]
  if (field.type !== "datetime") return value
  return typeof value === "string" && salesforceInstant(value) !== undefined ? value : record.at
}

const batchSizeOf = (header: string | undefined): number => {
  const requested = Number(/batchSize=(\d+)/i.exec(header ?? "")?.[1] ?? 2000)
  return Math.min(2000, Math.max(200, requested))
}

export const queryEndpoint = (now: () => number, options: QueryEndpointOptions = {}) => {
  const idleMs = options.locatorIdleMs ?? 15 * 60_000
  const maxOpen = options.maxOpenLocators ?? 10
  const locatorOf = options.queryLocator ?? ((id, offset) => `${id}-${offset}`)
  const nextUrlOf = options.nextRecordsUrl ?? ((path) => path)
  const locators = new Map<
    string,
    {
      records: ReadonlyArray<unknown>
      batchSize: number
      lastUsed: number
      /** The locators handed out for this query, by the offset each continues at. */
      issued: Map<string, number>
    }
  >()

  const batch = (
    version: string,
    id: string | undefined,
    records: ReadonlyArray<unknown>,
    offset: number,
    size: number,
  ) => {
    const rows = records.slice(offset, offset + size)
    const done = offset + size >= records.length
    const locator = id === undefined || done ? undefined : locatorOf(id, offset + size)
    if (locator !== undefined) locators.get(id as string)?.issued.set(locator, offset + size)
    return {
      status: 200,
      rows: rows.length,
      body: {
        totalSize: records.length,
        done,
        ...(locator === undefined
          ? {}
          : { nextRecordsUrl: nextUrlOf(`/services/data/v${version}/query/${locator}`) }),
        records: rows,
      },
    } satisfies QueryAnswer
  }

  const project = (query: SoqlQuery, version: string, record: StoredRecord) => ({
    attributes: {
      type: query.object.name,
      url: `/services/data/v${version}/sobjects/${query.object.name}/${String(record.row.Id ?? "")}`,
    },
    ...Object.fromEntries(query.fields.map((field) => [field.name, record.row[field.name] ?? null])),
  })

  return {
    /** `GET …/query?q=`. */
    run: (
      version: string,
      soql: string | null,
      queryOptions: string | undefined,
      store: ReadonlyArray<StoredRecord>,
    ): QueryAnswer => {
      if (soql === null || soql.trim() === "")
        return error(400, "MALFORMED_QUERY", "A query string has to be specified")
      const parsed = parseSoql(soql)
      if (Either.isLeft(parsed)) return error(400, parsed.left.errorCode, parsed.left.message)
      const query = parsed.right
      const matching = store
        .filter((record) => record.object === query.object.name)
        .filter((record) => matches(query.where, (field) => fieldOf(record, field)))
        .sort(orderRows(query.orderBy, fieldOf))
        .slice(0, query.limit)
        .map((record) => project(query, version, record))
      const size = Math.min(batchSizeOf(queryOptions), options.maxBatchSize ?? 2000)
      if (matching.length <= size) return batch(version, undefined, matching, 0, size)
      const id = locatorId()
      locators.set(id, { records: matching, batchSize: size, lastUsed: now(), issued: new Map() })
      for (const oldest of [...locators.keys()].slice(0, Math.max(0, locators.size - maxOpen)))
        locators.delete(oldest)
      return batch(version, id, matching, 0, size)
    },
    /** `GET …/query/<locator>`. */
    more: (version: string, locator: string): QueryAnswer => {
      const [id, open] = [...locators].find(([, query]) => query.issued.has(locator)) ?? []
      const offset = open?.issued.get(locator)
      if (id === undefined || open === undefined || offset === undefined || now() - open.lastUsed > idleMs) {
        if (id !== undefined) locators.delete(id)
        return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
      }
      open.lastUsed = now()
      const answer = batch(version, id, open.records, offset, open.batchSize)
      if (answer.body.done) locators.delete(id)
      return answer
    },
    expireAll: () => locators.clear(),
    openLocators: () => locators.size,
  }
}
