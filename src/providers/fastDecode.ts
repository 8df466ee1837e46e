import { Either, Option, ParseResult, Schema, SchemaAST } from "effect"

// A decoder compiled from a schema's AST, for the raw records every page carries: the same checks and the same
// decoded value as Effect Schema's decode, without its generic parser's per-node Either, issue and option
// handling (2.4–5.8 µs a record for the read schemas, about 0.3–0.4 µs a declared field; BENCHMARKS.md, Mapping).
// Hand-written because no maintained validator serves (measured on the simulators' records, µs a record):
// `Schema.is` and `ParseResult.validateEither` run the same generic parser (Okta 3.8 and 4.1 against the
// decode's 4.0); `Schema.is(Schema.encodedSchema(…))` drops the refinements (time, id and non-empty checks);
// ajv over `JSONSchema.make` is fast (0.03–0.15) but knows nothing of the refinements' predicates, which must
// all run, and builds no decoded value (undeclared fields dropped, in the schema's key order), so a walk of the
// AST would be needed beside it anyway. This one: 0.4–2.1, most of it the predicates themselves.
//
// Scope: only the node kinds the raw-record schemas use (structs and string-keyed records, unions, refinements,
// string, number, boolean, undefined, unknown, literals), with Effect's decode semantics under its default
// options (excess properties ignored, not exact, the first error); test/providers/fastDecode.test.ts holds each
// to Effect's decode. Any other node (arrays and tuples, transformations, declarations, suspensions, template
// literals, unions discriminated by a literal field, parse-option or decoding-fallback annotations) makes the
// whole schema fall back to Effect's decode. A refusal is always re-decoded by Effect, so a dead letter's
// reason is exactly Effect's.

/** What a compiled node returns for an input it refuses. */
export const Refused: unique symbol = Symbol("fastDecode/Refused")

/** A compiled node: the decoded value, or Refused. */
export type Check = (input: unknown) => unknown

const hasOwn = Object.prototype.hasOwnProperty

const hasAnnotation = (ast: SchemaAST.AST) =>
  Option.isSome(SchemaAST.getParseOptionsAnnotation(ast)) ||
  Option.isSome(SchemaAST.getDecodingFallbackAnnotation(ast))

/**
 * Whether Effect's union parser would pick candidates by a literal field (its search tree) rather than try the
 * members in order: a struct (through refinements) with a required property whose type is a literal.
 */
const isDiscriminated = (member: SchemaAST.AST): boolean => {
  if (SchemaAST.isRefinement(member)) return isDiscriminated(member.from)
  if (SchemaAST.isTransformation(member) || SchemaAST.isSuspend(member)) return true
  return (
    SchemaAST.isTypeLiteral(member) &&
    member.propertySignatures.some((ps) => !ps.isOptional && SchemaAST.isLiteral(ps.type))
  )
}

const compileRefinement = (ast: SchemaAST.Refinement): Check | undefined => {
  const from = compile(ast.from)
  if (from === undefined) return undefined
  // The refinement's own filter, with the options Effect's refinement passes it when none are given.
  return (input) => {
    const a = from(input)
    if (a === Refused) return Refused
    return Option.isNone(ast.filter(a, SchemaAST.defaultParseOption, ast)) ? a : Refused
  }
}

const compileUnion = (ast: SchemaAST.Union): Check | undefined => {
  if (ast.types.some(isDiscriminated)) return undefined
  const members: Check[] = []
  for (const type of ast.types) {
    const member = compile(type)
    if (member === undefined) return undefined
    members.push(member)
  }
  // In order, the first to accept gives the value, as Effect's union does when no member is discriminated.
  return (input) => {
    for (const member of members) {
      const a = member(input)
      if (a !== Refused) return a
    }
    return Refused
  }
}

interface Property {
  readonly name: PropertyKey
  readonly isOptional: boolean
  readonly check: Check
}

const compileTypeLiteral = (ast: SchemaAST.TypeLiteral): Check | undefined => {
  // An empty struct is Effect's "not nullable" check: no record schema has one, so it is left to Effect.
  if (ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0) return undefined
  const properties: Property[] = []
  for (const ps of ast.propertySignatures) {
    const check = compile(ps.type)
    if (check === undefined) return undefined
    properties.push({ name: ps.name, isOptional: ps.isOptional, check })
  }
  const [index, ...otherIndexes] = ast.indexSignatures
  if (otherIndexes.length > 0) return undefined
  if (index !== undefined && !SchemaAST.isStringKeyword(index.parameter)) return undefined
  const value = index === undefined ? undefined : compile(index.type)
  if (index !== undefined && value === undefined) return undefined
  const declared = new Set(properties.map(({ name }) => name))
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return Refused
    const record = input as Record<PropertyKey, unknown>
    const output: Record<PropertyKey, unknown> = {}
    for (const { name, isOptional, check } of properties) {
      // A missing optional key stays missing; a missing required one is checked as undefined, as Effect does.
      if (isOptional && !hasOwn.call(record, name)) continue
      const a = check(record[name])
      if (a === Refused) return Refused
      output[name] = a
    }
    if (value !== undefined)
      for (const key of Object.keys(record)) {
        const a = value(record[key])
        if (a === Refused) return Refused
        if (!declared.has(key)) output[key] = a
      }
    return output
  }
}

const identity: Check = (input) => input
const when =
  (accept: (input: unknown) => boolean): Check =>
  (input) =>
    accept(input) ? input : Refused

/** The node compiled, or undefined when a node kind is not supported. */
const compile = (ast: SchemaAST.AST): Check | undefined => {
  if (hasAnnotation(ast)) return undefined
  switch (ast._tag) {
    case "StringKeyword":
      return when((input) => typeof input === "string")
    case "NumberKeyword":
      return when((input) => typeof input === "number")
    case "BooleanKeyword":
      return when((input) => typeof input === "boolean")
    case "UndefinedKeyword":
      return when((input) => input === undefined)
    case "UnknownKeyword":
      return identity
    case "Literal": {
      const literal = ast.literal
      return when((input) => input === literal)
    }
    case "Refinement":
      return compileRefinement(ast)
    case "Union":
      return compileUnion(ast)
    case "TypeLiteral":
      return compileTypeLiteral(ast)
    default:
      return undefined
  }
}

/** The schema's compiled checks, or undefined when it holds a node the compiler does not support. */
export const compileCheck = (ast: SchemaAST.AST): Check | undefined => compile(ast)

type Decode<A, E> = (raw: unknown) => Either.Either<A, E>

const withFallback = <A, E>(check: Check | undefined, effectDecode: Decode<A, E>): Decode<A, E> =>
  check === undefined
    ? effectDecode
    : (raw) => {
        const a = check(raw)
        return a === Refused ? effectDecode(raw) : Either.right(a as A)
      }

const decoders = new WeakMap<SchemaAST.AST, Decode<unknown, ParseResult.ParseError>>()

/**
 * The schema's decode: the compiled checks' value when they accept; Effect's decode when they refuse (its
 * refusal, with its reason) or when the schema could not be compiled.
 */
export const fastDecoder = <A, I>(schema: Schema.Schema<A, I>): Decode<A, ParseResult.ParseError> => {
  const known = decoders.get(schema.ast)
  if (known !== undefined) return known as Decode<A, ParseResult.ParseError>
  const decode = withFallback(compileCheck(schema.ast), Schema.decodeUnknownEither(schema))
  decoders.set(schema.ast, decode as Decode<unknown, ParseResult.ParseError>)
  return decode
}

/** fastDecoder for a transformation's own decode, which answers a ParseIssue rather than a ParseError. */
export const fastParser = <A, I>(schema: Schema.Schema<A, I>): Decode<A, ParseResult.ParseIssue> =>
  withFallback(compileCheck(schema.ast), ParseResult.decodeUnknownEither(schema))
