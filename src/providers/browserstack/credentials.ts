import { Schema } from "effect"

export const BrowserStackBasicAuth = Schema.Struct({
  username: Schema.NonEmptyString,
  access_key: Schema.NonEmptyString,
}).annotations({
  identifier: "BrowserStackBasicAuth",
  description:
    "HTTP Basic with the BrowserStack username and access key (`Authorization: Basic base64(username:access_key)`), of an Owner or Admin on the Enterprise plan.",
})

/** The credential form the provider accepts. */
export const BrowserStackCredentials = Schema.Union(BrowserStackBasicAuth)
export type BrowserStackCredentials = typeof BrowserStackCredentials.Type
