import { Either } from "effect"
import { type ActivityFilters, FilterNames } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { Capabilities } from "../providers/ProviderAdapter.ts"
import { InvalidParameter } from "./ListActivitiesError.ts"

/**
 * Checks the filters of a request against what the account's integration supports (the spec's matrices,
 * as declared in the adapter's capabilities) and against the account itself.
 *
 * `organization_id` must be the organization the account is configured for: the configured one is the
 * organization the operator granted us; a request must not use the account's credentials to read another.
 */
export const validateFilters = (
  account: IntegratedAccount,
  capabilities: Capabilities,
  filters: ActivityFilters,
): Either.Either<ActivityFilters, InvalidParameter> => {
  const integration = account.integration
  const given = FilterNames.filter((name) => filters[name] !== undefined)

  const unsupported = given.find((name) => !capabilities.filters.includes(name))
  if (unsupported !== undefined) {
    const supported = capabilities.filters.length > 0 ? capabilities.filters.join(", ") : "none"
    return Either.left(
      new InvalidParameter({
        param: unsupported,
        message: `${unsupported} is not supported by the ${integration} integration (supported filters: ${supported})`,
      }),
    )
  }

  const missing = capabilities.requiredFilters.find((name) => filters[name] === undefined)
  if (missing !== undefined) {
    return Either.left(
      new InvalidParameter({
        param: missing,
        message: `${missing} is required for the ${integration} integration`,
      }),
    )
  }

  if (
    filters.action !== undefined &&
    capabilities.actions !== undefined &&
    !capabilities.actions.includes(filters.action)
  ) {
    return Either.left(
      new InvalidParameter({
        param: "action",
        message: `action ${filters.action} is not supported by the ${integration} integration (accepted: ${capabilities.actions.join(", ")})`,
      }),
    )
  }

  const configuredOrganization = account.settings.organization_id
  if (
    filters.organization_id !== undefined &&
    configuredOrganization !== undefined &&
    filters.organization_id !== configuredOrganization
  ) {
    return Either.left(
      new InvalidParameter({
        param: "organization_id",
        message: `organization_id does not match the organization integrated account ${account.id} is configured for`,
      }),
    )
  }

  return Either.right(filters)
}
