import { Either } from "effect"
import { salesforceInstant } from "../../providers/salesforce/salesforceTime.ts"
import { isSalesforceId } from "../../providers/salesforce/soql.ts"
import { type FieldDescribe, type FieldType, type SObjectDescribe, SObjects } from "./sobjectCatalog.ts"

// The subset of SOQL the simulated org answers, parsed (not matched): SELECT field, … FROM object
// [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n]. Conditions compare a field with
// a literal (= != <> < <= > >=), joined by AND or OR (SOQL wants parentheses to mix them), NOT, parentheses.
// Literals as SOQL writes them: quoted strings with SOQL's escapes, unquoted dateTimes, numbers, null,
// true/false. Errors are Salesforce's codes: MALFORMED_QUERY for syntax, INVALID_TYPE for an unknown object,
// INVALID_FIELD for an unknown, unfilterable or mistyped field, INVALID_QUERY_FILTER_OPERATOR for a bad id.
// Salesforce also quotes the query with an ERROR marker in its messages; these give the final sentence only.

export interface SoqlError {
  readonly errorCode: string
  readonly message: string
}

type Literal =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "datetime"; readonly ms: number }
  | { readonly kind: "date"; readonly text: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "null" }
  | { readonly kind: "boolean"; readonly value: boolean }

const OPERATORS = ["=", "!=", "<>", "<=", ">=", "<", ">"] as const
type Operator = (typeof OPERATORS)[number]

type Token =
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "literal"; readonly literal: Literal; readonly text: string }
  | { readonly kind: "op"; readonly text: Operator }
  | { readonly kind: "punct"; readonly text: "," | "(" | ")" }
  | { readonly kind: "end"; readonly text: "" }

export type Condition =
  | {
      readonly kind: "compare"
      readonly field: FieldDescribe
      readonly op: Operator
      readonly literal: Literal
    }
  | { readonly kind: "and" | "or"; readonly parts: ReadonlyArray<Condition> }
  | { readonly kind: "not"; readonly part: Condition }

export interface OrderKey {
  readonly field: FieldDescribe
  readonly descending: boolean
  readonly nullsLast: boolean
}

export interface SoqlQuery {
  readonly object: SObjectDescribe
  readonly fields: ReadonlyArray<FieldDescribe>
  readonly where: Condition | undefined
  readonly orderBy: ReadonlyArray<OrderKey>
  readonly limit: number | undefined
}

class SoqlFailure extends Error {
  readonly error: SoqlError
  constructor(error: SoqlError) {
    super(error.message)
    this.error = error
  }
}
const fail = (errorCode: string, message: string): never => {
  throw new SoqlFailure({ errorCode, message })
}
const malformed = (message: string): never => fail("MALFORMED_QUERY", message)

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  N: "\n",
  r: "\r",
  R: "\r",
  t: "\t",
  T: "\t",
  b: "\b",
  B: "\b",
  f: "\f",
  F: "\f",
  '"': '"',
  "'": "'",
  "\\": "\\",
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/
const NUMBER = /^\d+(\.\d+)?(?![\w-])/

const tokenize = (text: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === "'") {
      let value = ""
      i++
      for (;;) {
        if (i >= text.length)
          malformed(`unterminated string literal: ${text.slice(text.lastIndexOf("'", i - 1))}`)
        const d = text[i] as string
        if (d === "'") break
        if (d === "\\") {
          const e = text[i + 1] ?? ""
          if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16))
            i += 6
            continue
          }
          const escaped = STRING_ESCAPES[e]
          if (escaped === undefined) {
            malformed(`Invalid string literal. Illegal character sequence '\\${e}' in string literal.`)
          }
          value += escaped
          i += 2
          continue
        }
        value += d
        i++
      }
      i++
      tokens.push({ kind: "literal", literal: { kind: "string", value }, text: `'${value}'` })
    } else if (/\d/.test(c)) {
      const rest = text.slice(i)
      const datetime = DATETIME.exec(rest)
      const date = DATE.exec(rest)
      const number = NUMBER.exec(rest)
      if (datetime) {
        const ms = Date.parse(salesforceInstant(datetime[0]) ?? "")
        if (Number.isNaN(ms)) malformed(`line 1:${i} no viable alternative at character '${c}'`)
        tokens.push({ kind: "literal", literal: { kind: "datetime", ms }, text: datetime[0] })
        i += datetime[0].length
      } else if (date) {
        tokens.push({ kind: "literal", literal: { kind: "date", text: date[0] }, text: date[0] })
        i += date[0].length
      } else if (number) {
        tokens.push({
          kind: "literal",
          literal: { kind: "number", value: Number(number[0]) },
          text: number[0],
        })
        i += number[0].length
      } else {
        malformed(`unexpected token: '${rest.split(/\s/)[0]}'`)
      }
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0] ?? c
      const lower = word.toLowerCase()
      if (lower === "null") tokens.push({ kind: "literal", literal: { kind: "null" }, text: word })
      else if (lower === "true" || lower === "false") {
        tokens.push({ kind: "literal", literal: { kind: "boolean", value: lower === "true" }, text: word })
      } else tokens.push({ kind: "word", text: word })
      i += word.length
    } else if (c === "," || c === "(" || c === ")") {
      tokens.push({ kind: "punct", text: c })
      i++
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i))
      if (op === undefined) malformed(`line 1:${i} no viable alternative at character '${c}'`)
      tokens.push({ kind: "op", text: op as Operator })
      i += (op as Operator).length
    }
  }
  tokens.push({ kind: "end", text: "" })
  return tokens
}

const typeName: Readonly<Record<FieldType, string>> = {
  id: "id",
  reference: "id",
  string: "string",
  picklist: "string",
  datetime: "dateTime",
  boolean: "boolean",
}

const checkLiteral = (field: FieldDescribe, literal: Literal): void => {
  if (literal.kind === "null") return
  const mistyped = (quoted: boolean) =>
    fail(
      "INVALID_FIELD",
      `value of filter criterion for field '${field.name}' must be of type ${typeName[field.type]} and should ${quoted ? "" : "not "}be enclosed in quotes`,
    )
  switch (field.type) {
    case "datetime":
      if (literal.kind !== "datetime") mistyped(false)
      return
    case "boolean":
      if (literal.kind !== "boolean") mistyped(false)
      return
    case "id":
    case "reference":
      if (literal.kind !== "string") mistyped(true)
      if (literal.kind === "string" && !isSalesforceId(literal.value)) {
        fail("INVALID_QUERY_FILTER_OPERATOR", `invalid ID field: ${literal.value}`)
      }
      return
    default:
      if (literal.kind !== "string") mistyped(true)
  }
}

const parse = (tokens: ReadonlyArray<Token>): SoqlQuery => {
  let at = 0
  const peek = () => tokens[at] as Token
  const next = () => tokens[at++] as Token
  const isWord = (token: Token, word: string) => token.kind === "word" && token.text.toLowerCase() === word
  const unexpected = (token: Token): never => malformed(`unexpected token: '${token.text || "<EOF>"}'`)
  const expectWord = (word: string) => {
    const token = next()
    if (!isWord(token, word)) unexpected(token)
  }
  const fieldName = (): string => {
    const token = next()
    if (token.kind !== "word") unexpected(token)
    return token.text
  }

  expectWord("select")
  const selected = [fieldName()]
  while (peek().kind === "punct" && peek().text === ",") {
    next()
    selected.push(fieldName())
  }
  expectWord("from")
  const objectToken = next()
  if (objectToken.kind !== "word") unexpected(objectToken)
  const object = SObjects.find((o) => o.name.toLowerCase() === objectToken.text.toLowerCase())
  if (object === undefined) {
    return fail(
      "INVALID_TYPE",
      `sObject type '${objectToken.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    )
  }
  const resolve = (name: string): FieldDescribe =>
    object.fields.find((f) => f.name.toLowerCase() === name.toLowerCase()) ??
    fail(
      "INVALID_FIELD",
      `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    )
  const fields = selected.map(resolve)
  const duplicate = fields.find((f, i) => fields.indexOf(f) !== i)
  if (duplicate !== undefined) malformed(`duplicate field selected: ${duplicate.name}`)

  const comparison = (): Condition => {
    const field = resolve(fieldName())
    const op = next()
    if (op.kind !== "op") return unexpected(op)
    const value = next()
    if (value.kind !== "literal") return unexpected(value)
    if (!field.filterable) fail("INVALID_FIELD", `field '${field.name}' can not be filtered in a query call`)
    checkLiteral(field, value.literal)
    return { kind: "compare", field, op: op.text, literal: value.literal }
  }
  const factor = (): Condition => {
    if (isWord(peek(), "not")) {
      next()
      return { kind: "not", part: factor() }
    }
    if (peek().kind === "punct" && peek().text === "(") {
      next()
      const inner = condition()
      const close = next()
      if (close.kind !== "punct" || close.text !== ")") unexpected(close)
      return inner
    }
    return comparison()
  }
  // SOQL refuses `a AND b OR c`: a level joins with AND only or with OR only.
  const condition = (): Condition => {
    const parts = [factor()]
    let joiner: "and" | "or" | undefined
    while (isWord(peek(), "and") || isWord(peek(), "or")) {
      const word = next().text.toLowerCase() as "and" | "or"
      if (joiner !== undefined && joiner !== word) unexpected({ kind: "word", text: word.toUpperCase() })
      joiner = word
      parts.push(factor())
    }
    return joiner === undefined ? (parts[0] as Condition) : { kind: joiner, parts }
  }

  let where: Condition | undefined
  if (isWord(peek(), "where")) {
    next()
    where = condition()
  }
  const orderBy: Array<OrderKey> = []
  if (isWord(peek(), "order")) {
    next()
    expectWord("by")
    do {
      if (orderBy.length > 0) next()
      const field = resolve(fieldName())
      if (!field.sortable) fail("INVALID_FIELD", `field '${field.name}' can not be sorted in a query call`)
      let descending = false
      if (isWord(peek(), "asc") || isWord(peek(), "desc")) descending = next().text.toLowerCase() === "desc"
      let nullsLast = descending
      if (isWord(peek(), "nulls")) {
        next()
        const which = next()
        if (!isWord(which, "first") && !isWord(which, "last")) unexpected(which)
        nullsLast = which.text.toLowerCase() === "last"
      }
      orderBy.push({ field, descending, nullsLast })
    } while (peek().kind === "punct" && peek().text === ",")
  }
  let limit: number | undefined
  if (isWord(peek(), "limit")) {
    next()
    const token = next()
    if (
      token.kind !== "literal" ||
      token.literal.kind !== "number" ||
      !Number.isInteger(token.literal.value)
    ) {
      unexpected(token)
    }
    limit = token.kind === "literal" && token.literal.kind === "number" ? token.literal.value : undefined
  }
  const end = next()
  if (end.kind !== "end") unexpected(end)
  return { object, fields, where, orderBy, limit }
}

/** Parses one SOQL statement against the simulated org's objects. */
export const parseSoql = (text: string): Either.Either<SoqlQuery, SoqlError> => {
  try {
    return Either.right(parse(tokenize(text)))
  } catch (error) {
    if (error instanceof SoqlFailure) return Either.left(error.error)
    throw error
  }
}

/** A field's value in a stored row: dateTimes as epoch ms, ids as their case-sensitive 15 characters. */
export type FieldValue = string | number | boolean | null

const comparable = (field: FieldDescribe, literal: Literal): FieldValue => {
  switch (literal.kind) {
    case "null":
      return null
    case "datetime":
      return literal.ms
    case "string":
      return field.type === "id" || field.type === "reference"
        ? literal.value.slice(0, 15)
        : literal.value.toLowerCase()
    case "boolean":
      return literal.value
    default:
      return null
  }
}

/** Normalises a row's raw value for comparison the way `comparable` normalises literals. */
export const normalise = (field: FieldDescribe, value: unknown): FieldValue => {
  if (value === null || value === undefined) return null
  if (field.type === "datetime") {
    const ms = typeof value === "number" ? value : Date.parse(salesforceInstant(String(value)) ?? "")
    return Number.isNaN(ms) ? null : ms
  }
  if (field.type === "id" || field.type === "reference") return String(value).slice(0, 15)
  if (field.type === "boolean") return value === true
  // SOQL compares text case-insensitively.
  return String(value).toLowerCase()
}

const compare = (a: Exclude<FieldValue, null>, b: Exclude<FieldValue, null>) => (a < b ? -1 : a > b ? 1 : 0)

/** Whether a row matches; `fieldOf` reads a field's raw value from the row. */
export const matches = (
  condition: Condition | undefined,
  fieldOf: (field: FieldDescribe) => unknown,
): boolean => {
  if (condition === undefined) return true
  switch (condition.kind) {
    case "and":
      return condition.parts.every((part) => matches(part, fieldOf))
    case "or":
      return condition.parts.some((part) => matches(part, fieldOf))
    case "not":
      return !matches(condition.part, fieldOf)
    case "compare": {
      const value = normalise(condition.field, fieldOf(condition.field))
      const literal = comparable(condition.field, condition.literal)
      if (literal === null) {
        return condition.op === "="
          ? value === null
          : condition.op === "!=" || condition.op === "<>"
            ? value !== null
            : false
      }
      if (value === null) return condition.op === "!=" || condition.op === "<>"
      const order = compare(value, literal)
      switch (condition.op) {
        case "=":
          return order === 0
        case "!=":
        case "<>":
          return order !== 0
        case "<":
          return order < 0
        case "<=":
          return order <= 0
        case ">":
          return order > 0
        case ">=":
          return order >= 0
      }
    }
  }
}

/** A comparator for ORDER BY; rows equal on every key keep their given order (sort is stable). */
export const orderRows =
  <R>(orderBy: ReadonlyArray<OrderKey>, fieldOf: (row: R, field: FieldDescribe) => unknown) =>
  (a: R, b: R): number => {
    for (const key of orderBy) {
      const x = normalise(key.field, fieldOf(a, key.field))
      const y = normalise(key.field, fieldOf(b, key.field))
      if (x === y) continue
      if (x === null || y === null) return (x === null) === key.nullsLast ? 1 : -1
      const order = compare(x, y)
      if (order !== 0) return key.descending ? -order : order
    }
    return 0
  }
