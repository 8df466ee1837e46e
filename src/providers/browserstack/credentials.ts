import { Schema } from "effect"
import { basic, credentialForms } from "../../auth/credentialForms.ts"

/** The username and access key of an Owner or Admin on the Enterprise plan, as HTTP Basic. */
export const BrowserStackCredentials = credentialForms(
  "BrowserStackCredentials",
  Schema.Union(basic("username", "access_key")),
)
