import { readdirSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { schemaFiles } from "../scripts/schemas.ts"
import { publishedSchemas } from "../src/domain/PublishedSchemas.ts"
import { RecordSchemaVersion } from "../src/domain/RecordEnvelope.ts"
import { committedSchema, recordValidators } from "./support/publishedSchemas.ts"

describe("published JSON Schemas (schemas/)", () => {
  it("are what `npm run schemas` generates from the record schemas: regenerate and commit when this fails", () => {
    const generated = schemaFiles()
    for (const [path, text] of Object.entries(generated)) {
      // Documents, not layout: the committed files are formatted by the linter.
      expect([path, committedSchema(path.replace(/^schemas\//, ""))]).toEqual([path, JSON.parse(text)])
    }
    // And nothing else is committed there: a schema no code generates any more is a drift too.
    const committed = readdirSync(new URL("../schemas", import.meta.url), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath.replace(/^.*?\/schemas\b/, "schemas")}/${entry.name}`)
    expect(committed.sort()).toEqual(Object.keys(generated).sort())
  })

  it("are draft 2020-12, named by the URN the records' ce_dataschema carries, under the major version's folder", () => {
    const major = RecordSchemaVersion.split(".")[0]
    for (const { file, id, document } of Object.values(publishedSchemas)) {
      expect(file).toMatch(new RegExp(`^v${major}/[a-z-]+\\.json$`))
      expect(id).toBe(`urn:siem-connector:schemas/${file}`)
      expect(document).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: id })
    }
    // Ajv compiles each in strict mode: no keyword it does not know.
    expect(Object.keys(recordValidators())).toEqual(["activities", "login_failed", "dead_letter", "ocsf"])
  })
})
