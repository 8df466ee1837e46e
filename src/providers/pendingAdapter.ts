import type { Schema } from "effect"
import type { TokenGrantFor } from "../auth/grants.ts"
import type { Credentials } from "../domain/Credentials.ts"
import type { Capabilities, DecoderOf, ProviderAdapter } from "./ProviderAdapter.ts"

/**
 * An integration whose capabilities (from the spec) and credential forms are known but whose streams are not
 * built yet: the endpoint validates requests against it and then answers 501.
 */
export const pendingAdapter = <const Name extends string>(declaration: {
  readonly integration: Name
  readonly capabilities: Capabilities
  readonly defaultBaseUrl?: string
  readonly credentials: DecoderOf<Credentials>
  readonly tokenGrant?: TokenGrantFor
  readonly settings?: Schema.Schema.AnyNoContext
}): ProviderAdapter & { readonly integration: Name } => ({ ...declaration, streams: [] })
