import { readFileSync } from "node:fs"

// The OCSF 1.8.0 definitions of the classes the connector writes, as transcribed in
// test/fixtures/ocsf-1.8.0/classes.json (see its $comment), and a check of one event against them: required
// attributes (inherited ones included) and `at_least_one` constraints, no attribute the class or object does not
// define, attribute types, enum values and captions, and type_uid = class_uid × 100 + activity_id.

interface AttributeDef {
  readonly requirement: "required" | "recommended" | "optional"
  readonly type: "integer" | "long" | "string" | "boolean" | "float" | "json" | "object" | "array"
  readonly items?: string
  readonly object?: string
  readonly enum?: ReadonlyArray<number | string>
  readonly enum_captions?: Readonly<Record<string, string>>
}
interface TypeDef {
  readonly constraints: { readonly at_least_one?: ReadonlyArray<string> }
  readonly attributes: Readonly<Record<string, AttributeDef>>
}
interface ClassDef extends TypeDef {
  readonly caption: string
  readonly class_uid: number
  readonly category_uid: number
  readonly category_name: string
}
export const ocsf = JSON.parse(
  readFileSync(new URL("../fixtures/ocsf-1.8.0/classes.json", import.meta.url), "utf8"),
) as {
  readonly version: string
  readonly classes: Readonly<Record<string, ClassDef>>
  readonly objects: Readonly<Record<string, TypeDef>>
  readonly observable_type_ids: Readonly<Record<string, string>>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const hasType = (value: unknown, type: string): boolean => {
  switch (type) {
    case "integer":
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
    case "long":
      return Number.isSafeInteger(value)
    case "float":
      return typeof value === "number"
    case "string":
      return typeof value === "string"
    case "boolean":
      return typeof value === "boolean"
    case "object":
      return isObject(value)
    case "array":
      return Array.isArray(value)
    default:
      return true // json: any value
  }
}

/** Problems of `value` against an OCSF class or object definition, each naming its path. */
const problemsAgainst = (definition: TypeDef, value: Record<string, unknown>, path: string): string[] => {
  const problems: string[] = []
  for (const [name, attribute] of Object.entries(definition.attributes))
    if (attribute.requirement === "required" && value[name] === undefined)
      problems.push(`${path}${name}: required, missing`)
  const oneOf = definition.constraints.at_least_one
  if (oneOf !== undefined && !oneOf.some((name) => value[name] !== undefined))
    problems.push(`${path}: needs at least one of ${oneOf.join(", ")}`)
  for (const [name, item] of Object.entries(value)) {
    const attribute = definition.attributes[name]
    if (attribute === undefined) {
      problems.push(`${path}${name}: not an attribute of this class or object`)
      continue
    }
    if (!hasType(item, attribute.type)) problems.push(`${path}${name}: not of type ${attribute.type}`)
    if (attribute.enum !== undefined && !attribute.enum.includes(item as number))
      problems.push(`${path}${name}: ${String(item)} is not one of ${attribute.enum.join(", ")}`)
    // Nested objects are checked against their own definitions where the fixture has them.
    const nested = attribute.object === undefined ? undefined : ocsf.objects[attribute.object]
    if (nested === undefined) continue
    const elements = attribute.type === "array" && Array.isArray(item) ? item : [item]
    elements.forEach((element, i) => {
      const at = attribute.type === "array" ? `${path}${name}[${i}].` : `${path}${name}.`
      if (!isObject(element)) problems.push(`${at}: not an object`)
      else problems.push(...problemsAgainst(nested, element, at))
    })
  }
  return problems
}

/** Every problem of one OCSF event. */
export const conformanceProblems = (event: Record<string, unknown>): string[] => {
  const definition = Object.values(ocsf.classes).find((c) => c.class_uid === event.class_uid)
  if (definition === undefined) return [`class_uid ${String(event.class_uid)} is not a class the fixture has`]
  const problems = problemsAgainst(definition, event, "")
  const activityId = event.activity_id as number
  if (event.type_uid !== definition.class_uid * 100 + activityId)
    problems.push(`type_uid ${String(event.type_uid)} is not class_uid × 100 + activity_id`)
  if (event.category_uid !== definition.category_uid) problems.push("category_uid is not the class's")
  if (event.class_name !== definition.caption) problems.push("class_name is not the class's caption")
  const caption = definition.attributes.activity_id?.enum_captions?.[String(activityId)]
  if (activityId !== 99 && event.activity_name !== caption)
    problems.push(`activity_name ${String(event.activity_name)} is not ${caption}`)
  const severity = definition.attributes.severity_id?.enum_captions?.[String(event.severity_id)]
  if (event.severity !== severity) problems.push(`severity is not ${severity}`)
  if (event.status_id !== undefined) {
    const status = definition.attributes.status_id?.enum_captions?.[String(event.status_id)]
    if (event.status !== status) problems.push(`status is not ${status}`)
  }
  if ((event.metadata as { version?: unknown } | undefined)?.version !== ocsf.version)
    problems.push("metadata.version is not the fixture's")
  for (const observable of (event.observables ?? []) as ReadonlyArray<{ type_id: number }>)
    if (ocsf.observable_type_ids[String(observable.type_id)] === undefined)
      problems.push(`observables: type_id ${observable.type_id} is not an OCSF observable type`)
  return problems
}
