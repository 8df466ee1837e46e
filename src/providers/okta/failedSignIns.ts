import type { FailedSignIns } from "../ActivityStream.ts"
import { signInFacts } from "../failedSignIn.ts"
import type { OktaLogEventRead } from "./OktaLogEvent.ts"

// Okta's event-type catalogue (https://developer.okta.com/docs/reference/api/event-types/) records a failed
// authentication in two kinds of event. An attempt to authenticate whose outcome is FAILURE is the unified
// `login_failed`: the primary sign-in, SSO into an app, an identity verification, and each `auth_via_*` factor
// or source (MFA, RADIUS, an IdP, AD/LDAP agents…). What follows or judges attempts is not itself one: a
// lockout, a push the user denied, an MFA bypass attempt, a sign-on policy's DENY. Those keep their raw
// eventType (the spec's rule) and still go to the login_failed topic.

/** Attempt types whose FAILURE outcome is `login_failed`, beside the `user.authentication.auth_via_` family. */
const ATTEMPT_TYPES: ReadonlySet<string> = new Set([
  "user.session.start",
  "user.authentication.sso",
  "user.authentication.verify",
])
const FACTOR_PREFIX = "user.authentication.auth_via_"

/** True when the event is an authentication attempt Okta reports as failed. */
export const isFailedAttempt = (event: Pick<OktaLogEventRead, "eventType" | "outcome">): boolean =>
  event.outcome?.result === "FAILURE" &&
  (ATTEMPT_TYPES.has(event.eventType) || event.eventType.startsWith(FACTOR_PREFIX))

/** The `action` filter `login_failed` as Okta's SCIM filter: the same events `isFailedAttempt` picks. */
export const failedAttemptFilter = `outcome.result eq "FAILURE" and (${[...ATTEMPT_TYPES]
  .map((type) => `eventType eq "${type}"`)
  .join(" or ")} or eventType sw "${FACTOR_PREFIX}")`

/** Raw event types that are failed sign-ins without being an attempt, and when. */
export const SignInDenials: Readonly<Record<string, (event: OktaLogEventRead) => boolean>> = {
  "user.account.lock": () => true,
  "user.account.lock.limit": () => true,
  "user.mfa.okta_verify.deny_push": () => true,
  "user.mfa.okta_verify.deny_push_upgrade_needed": () => true,
  "user.mfa.attempt_bypass": () => true,
  "policy.evaluate_sign_on": (event) => event.outcome?.result === "DENY",
}

/** Okta's failed sign-ins: the reason is `outcome.reason` (else the display message), the user its actor's login. */
export const failedSignIns: FailedSignIns<OktaLogEventRead> = {
  actions: new Set(["login_failed", ...Object.keys(SignInDenials)]),
  of: (event) => {
    const denial = SignInDenials[event.eventType]
    if (!isFailedAttempt(event) && !(denial?.(event) ?? false)) return undefined
    return signInFacts({
      reason: event.outcome?.reason ?? event.displayMessage,
      attempted_user: event.actor?.type === "User" ? event.actor.alternateId : undefined,
    })
  },
}
