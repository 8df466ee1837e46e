import { linkPosition } from "../paging/linkHeader.ts"

/** The one path the System Log API pages on; a position or next link elsewhere is refused. */
export const LOGS_PATH = "/api/v1/logs"

/**
 * Where to continue reading an Okta System Log: the path and query of the `rel="next"` link Okta sent
 * (its `after` token, filter, limit). Never the host: the request is always re-attached to the account's
 * configured domain, so a cursor cannot steer the connector (and the credentials) elsewhere.
 */
export const OktaPosition = linkPosition(LOGS_PATH).annotations({ identifier: "OktaPosition" })
export type OktaPosition = typeof OktaPosition.Type
