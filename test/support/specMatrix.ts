import { readFileSync } from "node:fs"
import type { UnifiedAction } from "../../src/domain/Activity.ts"
import { type FilterName, FilterNames } from "../../src/domain/ActivityFilters.ts"
import type { Integration } from "../../src/providers/registry.ts"

/*
 * The list-activities spec's matrices (filter support, required filters, the action enum per integration),
 * parsed from the spec's own text: a checked-in copy of the shared spec, as the tests read nothing outside the
 * repository. Nothing here is read from the adapters, so an adapter declaration or a server decision that
 * differs from the spec fails the tests that use it. A table whose shape changes fails here, loudly.
 */

const spec = readFileSync(new URL("../fixtures/spec/list-activities.md", import.meta.url), "utf8")

/** The spec's display names ("BrowserStack", "GitHub") as the registry spells them. */
const integrationOf = (name: string, known: ReadonlyArray<string>): Integration => {
  const key = name.trim().toLowerCase()
  if (!known.includes(key)) throw new Error(`spec names an integration it does not list: ${name}`)
  return key as Integration
}

const listed = /^Integrations \((\d+)\): (.+)\.$/m.exec(spec)
if (listed === null) throw new Error("spec: no 'Integrations (N): …' line")
/** "Integrations (13): Asana, Atlassian, …" */
export const specIntegrations: ReadonlyArray<Integration> = (listed[2] ?? "")
  .split(",")
  .map((name) => name.trim().toLowerCase() as Integration)
if (specIntegrations.length !== Number(listed[1]))
  throw new Error(`spec: says ${listed[1]} integrations, names ${specIntegrations.length}`)

/** The rows of the markdown table whose header row starts with `| first |`, as cells. */
const tableRows = (first: string): ReadonlyArray<ReadonlyArray<string>> => {
  const lines = spec.split("\n")
  const header = lines.findIndex((line) => line.startsWith(`| ${first} |`))
  if (header < 0) throw new Error(`spec: no table headed "${first}"`)
  const rows: Array<ReadonlyArray<string>> = []
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
  }
  return rows
}

/** "all", "**required** for Asana and GitHub", "Asana, Atlassian, … (not BrowserStack, GitHub)". */
const integrationsIn = (cell: string): { readonly supported: Integration[]; readonly required: boolean } => {
  if (cell === "all") return { supported: [...specIntegrations], required: false }
  const required = cell.startsWith("**required** for ")
  const names = cell
    .replace(/^\*\*required\*\* for /, "")
    .replace(/\(not [^)]*\)/, "")
    .split(/,| and /)
    .filter((name) => name.trim() !== "")
  return { supported: names.map((name) => integrationOf(name, specIntegrations)), required }
}

const parameters = new Map(
  tableRows("parameter").map((cells) => [
    cells[0]?.replaceAll("`", "") ?? "",
    integrationsIn(cells[3] ?? ""),
  ]),
)
const parameter = (filter: FilterName) => {
  const row = parameters.get(filter)
  if (row === undefined) throw new Error(`spec: no query parameter row for ${filter}`)
  return row
}

/** Per filter, the integrations listed as supporting it (for organization_id, those it is required in). */
export const specFilterSupport: { readonly [F in FilterName]: ReadonlyArray<Integration> } = {
  organization_id: parameter("organization_id").supported,
  created_at: parameter("created_at").supported,
  actor_id: parameter("actor_id").supported,
  action: parameter("action").supported,
  entity: parameter("entity").supported,
  entity_type: parameter("entity_type").supported,
  ip_address: parameter("ip_address").supported,
}

/** The filters a row marks **required**, and where. */
export const specFilterRequired: { readonly [F in FilterName]?: ReadonlyArray<Integration> } =
  Object.fromEntries(
    FilterNames.flatMap((filter) =>
      parameter(filter).required ? [[filter, parameter(filter).supported]] : [],
    ),
  )

/** "Enum support by integration" for `action`; an integration not listed accepts every value. */
export const specActionsAccepted = Object.fromEntries(
  tableRows("integration").map((cells) => [
    integrationOf(cells[0] ?? "", specIntegrations),
    (cells[1] ?? "").split(",").map((value) => value.trim().replaceAll("`", "") as UnifiedAction),
  ]),
) as { readonly [I in Integration]?: ReadonlyArray<UnifiedAction> }
