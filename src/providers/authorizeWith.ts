import { Effect, Either, Schema } from "effect"
import { ProviderUnauthorized } from "../http/ProviderError.ts"
import type { Authorize } from "./ProviderCall.ts"

/**
 * Authorization from the account's static credentials: the header is a function of the credential form. An
 * account whose credentials fit no form is refused before anything is sent.
 */
export const authorizeWith =
  // biome-ignore lint/suspicious/noExplicitAny: only decoded from the account's credential map.
    <C>(credentials: Schema.Schema<C, any>, header: (credentials: C) => string): Authorize =>
    (account, call) =>
      Effect.gen(function* () {
        const decoded = Schema.decodeUnknownEither(credentials)(account.credentials)
        if (Either.isLeft(decoded)) {
          return yield* new ProviderUnauthorized({
            integration: account.integration,
            status: 401,
            message: `${account.integration} account ${account.id} has none of the credential forms it accepts; nothing was sent`,
          })
        }
        return yield* call(header(decoded.right))
      })

/** For integrations without a client yet: nothing is ever sent. */
export const authorizeNothing: Authorize = () =>
  Effect.dieMessage("an integration without streams sends no request")
