import { Effect, Either, Schema } from "effect"
import type { TokenGrantFor } from "../auth/grants.ts"
import type { Credentials } from "../domain/Credentials.ts"
import type { Integration } from "../domain/Integration.ts"
import { ProviderNotImplemented } from "../http/ProviderError.ts"
import type { Capabilities, DecoderOf, ProviderAdapter } from "./ProviderAdapter.ts"

/**
 * An integration whose capabilities (from the spec) and credential forms are known but whose provider client
 * is not built yet: the endpoint validates requests against it and then answers 501.
 */
export const pendingAdapter = (declaration: {
  readonly integration: Integration
  readonly capabilities: Capabilities
  readonly defaultBaseUrl?: string
  readonly credentials: DecoderOf<Credentials>
  readonly tokenGrant?: TokenGrantFor
  readonly settings?: Schema.Schema.AnyNoContext
}): ProviderAdapter<unknown, unknown> => ({
  ...declaration,
  record: Schema.Unknown,
  position: Schema.Unknown,
  toActivity: () => Either.left({ reason: `${declaration.integration} mapping is not implemented yet` }),
  fetchPage: () =>
    Effect.fail(
      new ProviderNotImplemented({
        integration: declaration.integration,
        message: `the ${declaration.integration} provider client is not implemented yet`,
      }),
    ),
})
