import { isFailedAttempt, SignInDenials } from "../../src/providers/okta/failedSignIns.ts"

export interface OktaEventLike {
  readonly uuid: string
  readonly eventType: string
  readonly outcome?: { readonly result?: string } | null
}

type OktaEvent = Parameters<NonNullable<(typeof SignInDenials)[string]>>[0]

/** Bound for the login_failed topic, as Okta's mapping decides: a failed attempt, or a denial that follows one. */
export const isFailedSignIn = (e: OktaEventLike) => {
  const event = e as unknown as OktaEvent
  return isFailedAttempt(event) || (SignInDenials[event.eventType]?.(event) ?? false)
}
