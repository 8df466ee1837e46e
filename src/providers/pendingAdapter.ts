import type { Schema } from "effect"
import { authorizeNothing } from "./authorizeWith.ts"
import type { Capabilities, ProviderAdapter } from "./ProviderAdapter.ts"

/**
 * An integration whose capabilities (from the spec) and credential forms are known but whose streams are not
 * built yet: the endpoint validates requests against it and then answers 501.
 */
export const pendingAdapter = <const Name extends string>(declaration: {
  readonly integration: Name
  readonly capabilities: Capabilities
  readonly defaultBaseUrl?: string
  readonly credentials: Schema.Schema.AnyNoContext
  readonly settings?: Schema.Schema.AnyNoContext
}): ProviderAdapter & { readonly integration: Name } => ({
  ...declaration,
  authorize: authorizeNothing,
  streams: [],
})
