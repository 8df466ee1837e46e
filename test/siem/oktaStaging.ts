import type { OktaSimulatorHandle } from "../../src/simulators/okta/OktaSimulator.ts"

// Crafted Okta System Log events, each a copy of one the simulator generated with the fields a pattern needs
// changed, appended to the simulator's log as if Okta had just persisted them.

// biome-ignore lint/suspicious/noExplicitAny: raw provider JSON, copied and edited in place
type Json = Record<string, any>

export interface OktaUser {
  readonly id: string
  readonly alternateId: string
  readonly displayName: string
}

/** A client location: address, Okta's country and autonomous system. RFC 5737 documentation addresses. */
export interface Place {
  readonly ip: string
  readonly country: string
  readonly asNumber: number
}

export const ELSEWHERE: Place = { ip: "192.0.2.250", country: "Brazil", asNumber: 28573 }
export const SPRAYER: Place = { ip: "203.0.113.250", country: "Romania", asNumber: 9050 }

export const oktaStaging = (sim: OktaSimulatorHandle) => {
  const generated = sim.events() as ReadonlyArray<Json>
  const template = (predicate: (e: Json) => boolean, what: string): Json => {
    const found = generated.find(predicate)
    if (!found) throw new Error(`the simulator generated no ${what} to copy`)
    return found
  }
  const success = template(
    (e) => e.eventType === "user.session.start" && e.outcome?.result === "SUCCESS",
    "successful sign-in",
  )
  const failure = template(
    (e) => e.eventType === "user.session.start" && e.outcome?.result === "FAILURE",
    "failed sign-in",
  )
  const byId = new Map<string, OktaUser>()
  for (const e of generated) {
    if (e.actor?.type === "User") {
      byId.set(e.actor.id, {
        id: e.actor.id,
        alternateId: e.actor.alternateId,
        displayName: e.actor.displayName,
      })
    }
  }
  const users = [...byId.values()]
  const signsIn = (user: OktaUser) =>
    generated.some(
      (e) =>
        e.actor?.id === user.id && e.eventType === "user.session.start" && e.outcome?.result === "SUCCESS",
    )
  /** Where the user signs in from in the generated history. */
  const homeOf = (user: OktaUser): Place => {
    const own = generated.find(
      (e) =>
        e.actor?.id === user.id && e.eventType === "user.session.start" && e.outcome?.result === "SUCCESS",
    )
    return {
      ip: own?.client?.ipAddress ?? success.client.ipAddress,
      country: own?.client?.geographicalContext?.country ?? success.client.geographicalContext.country,
      asNumber: own?.securityContext?.asNumber ?? success.securityContext.asNumber,
    }
  }

  let n = 0
  const craft = (
    base: Json,
    at: number,
    user: OktaUser,
    changes: {
      place?: Place
      eventType?: string
      displayMessage?: string
      outcome?: Json
      target?: Json[]
    } = {},
  ) => {
    const event = structuredClone(base)
    n++
    event.uuid = `5e7a9ed0-0000-11f0-8000-${n.toString(16).padStart(12, "0")}`
    event.published = new Date(at).toISOString()
    event.actor = {
      id: user.id,
      type: "User",
      alternateId: user.alternateId,
      displayName: user.displayName,
      detailEntry: null,
    }
    if (changes.eventType) event.eventType = changes.eventType
    if (changes.displayMessage) event.displayMessage = changes.displayMessage
    if (changes.outcome) event.outcome = changes.outcome
    if (changes.target) event.target = changes.target
    const place = changes.place
    if (place) {
      event.client.ipAddress = place.ip
      event.client.geographicalContext = { ...event.client.geographicalContext, country: place.country }
      event.securityContext = { ...event.securityContext, asNumber: place.asNumber }
      event.request = { ipChain: [{ ...event.request?.ipChain?.[0], ip: place.ip }] }
    }
    sim.inject(event)
    return event
  }

  return {
    users,
    /** Users with at least one successful sign-in in the generated history. */
    usersSigningIn: users.filter(signsIn),
    homeOf,
    /** `count` failed sign-ins of `user`, `everyMs` apart from `from`. */
    failedLogins: (user: OktaUser, count: number, from: number, everyMs: number, place?: Place) =>
      Array.from({ length: count }, (_, i) =>
        craft(failure, from + i * everyMs, user, place ? { place } : {}),
      ),
    /** A successful sign-in of `user` at `at`, from home unless `place` says otherwise. */
    login: (user: OktaUser, at: number, place: Place = homeOf(user)) => craft(success, at, user, { place }),
    /** `count` Okta Verify pushes `user` denied. */
    deniedPushes: (user: OktaUser, count: number, from: number, everyMs: number) =>
      Array.from({ length: count }, (_, i) =>
        craft(failure, from + i * everyMs, user, {
          eventType: "user.mfa.okta_verify.deny_push",
          displayMessage: "User rejected Okta push verify",
          outcome: { result: "FAILURE", reason: "Push rejected" },
          place: homeOf(user),
        }),
      ),
    /** `admin` grants `target` an administrator role. */
    privilegeGrant: (admin: OktaUser, target: OktaUser, at: number) =>
      craft(success, at, admin, {
        eventType: "user.account.privilege.grant",
        displayMessage: "Grant user privilege",
        place: homeOf(admin),
        target: [
          {
            id: target.id,
            type: "User",
            alternateId: target.alternateId,
            displayName: target.displayName,
            detailEntry: null,
          },
        ],
      }),
  }
}
