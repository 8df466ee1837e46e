// Realistic Okta System Log events for the simulator: a seeded generator, so a seed always tells the same story.
// Shapes follow Okta's LogEvent reference and real exports (Elastic's sample logs): `null` in most unset places,
// `client.zone` as the string "null", a null credentialType and session id on failed sign-ins.

import { seededRandom } from "../kit/seededRandom.ts"

type Json = Record<string, unknown>

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
const LAST = [
  "Okafor",
  "Lindqvist",
  "Moreau",
  "Tanaka",
  "Silva",
  "Novak",
  "Haddad",
  "Kowalski",
  "Reyes",
  "Byrne",
]
const APPS = ["Salesforce", "Slack", "Google Workspace", "GitHub Enterprise", "Zoom"]

// Documentation address ranges (RFC 5737), so the data can never point at a real network.
const PLACES = [
  {
    ip: "198.51.100.23",
    city: "San Francisco",
    state: "California",
    country: "United States",
    postalCode: "94107",
    lat: 37.7697,
    lon: -122.3933,
    asNumber: 7922,
    asOrg: "comcast",
    isp: "comcast cable communications llc",
    domain: "comcast.net",
  },
  {
    ip: "198.51.100.87",
    city: "New York",
    state: "New York",
    country: "United States",
    postalCode: "10001",
    lat: 40.7484,
    lon: -73.9967,
    asNumber: 701,
    asOrg: "verizon",
    isp: "verizon business",
    domain: "verizon.net",
  },
  {
    ip: "203.0.113.54",
    city: "Berlin",
    state: "Land Berlin",
    country: "Germany",
    postalCode: "10117",
    lat: 52.5167,
    lon: 13.4,
    asNumber: 3320,
    asOrg: "deutsche telekom ag",
    isp: "deutsche telekom ag",
    domain: "telekom.de",
  },
  {
    ip: "203.0.113.190",
    city: "London",
    state: "England",
    country: "United Kingdom",
    postalCode: "EC2V",
    lat: 51.5164,
    lon: -0.093,
    asNumber: 2856,
    asOrg: "british telecommunications plc",
    isp: "bt",
    domain: "bt.com",
  },
  {
    ip: "192.0.2.141",
    city: "Sydney",
    state: "New South Wales",
    country: "Australia",
    postalCode: "2000",
    lat: -33.8678,
    lon: 151.2073,
    asNumber: 1221,
    asOrg: "telstra",
    isp: "telstra corporation",
    domain: "telstra.com.au",
  },
]
/** Where password-spraying bursts come from: a hosting network, flagged as a proxy. */
const ATTACKER = {
  ip: "192.0.2.66",
  city: "Amsterdam",
  state: "North Holland",
  country: "Netherlands",
  postalCode: "1012",
  lat: 52.3759,
  lon: 4.8975,
  asNumber: 14061,
  asOrg: "digitalocean llc",
  isp: "digitalocean llc",
  domain: "digitalocean.com",
}

const AGENTS = [
  {
    rawUserAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    os: "Mac OS X",
    browser: "CHROME",
  },
  {
    rawUserAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    os: "Windows 10",
    browser: "EDGE_CHROMIUM",
  },
  {
    rawUserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    os: "Windows 10",
    browser: "FIREFOX",
  },
  {
    rawUserAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    os: "iOS",
    browser: "SAFARI",
  },
]
const SCRIPT_AGENT = { rawUserAgent: "python-requests/2.32.3", os: "Unknown", browser: "UNKNOWN" }

type Place = (typeof PLACES)[number]
type Agent = (typeof AGENTS)[number]
interface User {
  readonly id: string
  readonly login: string
  readonly name: string
  readonly place: Place
  readonly agent: Agent
}
interface Principal {
  readonly id: string
  readonly type: string
  readonly alternateId: string
  readonly displayName: string
}

const SYSTEM: Principal = {
  id: "0oa1sys7em0principal",
  type: "SystemPrincipal",
  alternateId: "system@okta.com",
  displayName: "Okta System",
}

export interface EventGenerator {
  /**
   * `count` events spread over the `spanMs` before `now`, oldest first, each with when Okta persisted it: a
   * moment after publication, so not always in publication order (why polling pages by persistence).
   */
  readonly history: (
    count: number,
    now: number,
    spanMs: number,
  ) => Array<{ readonly event: Json; readonly persistedAt: number }>
  /** `count` events published at `now`; about a quarter of them a burst of failed sign-ins. */
  readonly burst: (count: number, now: number) => Array<Json>
}

export const eventGenerator = (seed: number): EventGenerator => {
  const { next: random, int, pick, chars } = seededRandom(seed)
  const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  const HEX = "0123456789abcdef"
  const oktaId = (prefix: string) => `${prefix}${chars(ALNUM, 17)}`
  // Okta's event uuids are time-based (version 1), e.g. 741dc322-cf76-11eb-899c-95a65059493b.
  const uuid = () =>
    `${chars(HEX, 8)}-${chars(HEX, 4)}-11f${chars(HEX, 1)}-${pick(["8", "9", "a", "b"])}${chars(HEX, 3)}-${chars(HEX, 12)}`
  const transactionId = () => chars(`${ALNUM}-`, 27)

  const users: Array<User> = Array.from({ length: 20 }, (_, i) => {
    const first = FIRST[i % FIRST.length] as string
    const last = LAST[(i * 3 + Math.floor(i / FIRST.length)) % LAST.length] as string
    return {
      id: oktaId("00u"),
      login: `${first}.${last}@example.com`.toLowerCase(),
      name: `${first} ${last}`,
      place: pick(PLACES),
      agent: pick(AGENTS),
    }
  })
  const admin = users[0] as User
  const apps = APPS.map((name) => ({ id: oktaId("0oa"), name }))
  const policy = { id: oktaId("00p"), rule: oktaId("0pr") }

  const principal = (user: User): Principal => ({
    id: user.id,
    type: "User",
    alternateId: user.login,
    displayName: user.name,
  })
  const userTarget = (user: User) => ({
    id: user.id,
    type: "User",
    alternateId: user.login,
    displayName: user.name,
    detailEntry: null,
  })
  const geo = (place: Place) => ({
    city: place.city,
    state: place.state,
    country: place.country,
    postalCode: place.postalCode,
    geolocation: { lat: place.lat, lon: place.lon },
  })

  interface Shape {
    readonly eventType: string
    readonly displayMessage: string
    readonly legacyEventType: string | null
    readonly actor: Principal
    /** Absent for background jobs, which have no HTTP client. */
    readonly from?: { readonly place: Place; readonly agent: Agent; readonly requestUri: string }
    readonly outcome: { readonly result: string; readonly reason: string | null }
    readonly severity?: string
    readonly target?: ReadonlyArray<Json> | null
    readonly credentialType?: string | null
    readonly authenticationProvider?: string | null
    readonly sessionId?: string | null
  }

  const logEvent = (shape: Shape, published: number): Json => {
    const transaction = transactionId()
    const from = shape.from
    return {
      actor: { ...shape.actor, detailEntry: null },
      client: from
        ? {
            userAgent: from.agent,
            zone: "null",
            device: from.agent.os === "iOS" ? "Mobile" : "Computer",
            id: null,
            ipAddress: from.place.ip,
            geographicalContext: geo(from.place),
          }
        : { userAgent: null, zone: null, device: null, id: null, ipAddress: null, geographicalContext: null },
      device: null,
      authenticationContext: {
        authenticationProvider: shape.authenticationProvider ?? null,
        credentialProvider: null,
        credentialType: shape.credentialType ?? null,
        issuer: null,
        interface: null,
        authenticationStep: 0,
        externalSessionId:
          shape.sessionId === undefined ? (from ? `102${chars(ALNUM, 22)}` : null) : shape.sessionId,
      },
      displayMessage: shape.displayMessage,
      eventType: shape.eventType,
      outcome: shape.outcome,
      published: new Date(published).toISOString(),
      securityContext: from
        ? {
            asNumber: from.place.asNumber,
            asOrg: from.place.asOrg,
            isp: from.place.isp,
            domain: from.place.domain,
            isProxy: from.place === ATTACKER,
          }
        : { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
      severity: shape.severity ?? "INFO",
      debugContext: {
        debugData: from
          ? {
              requestId: transaction,
              requestUri: from.requestUri,
              url: `${from.requestUri}?`,
              threatSuspected: "false",
            }
          : { requestId: transaction },
      },
      legacyEventType: shape.legacyEventType,
      transaction: { type: from ? "WEB" : "JOB", id: transaction, detail: {} },
      uuid: uuid(),
      version: "0",
      request: {
        ipChain: from
          ? [{ ip: from.place.ip, geographicalContext: geo(from.place), version: "V4", source: null }]
          : [],
      },
      target: shape.target === undefined ? null : shape.target,
    }
  }

  const web = (user: User, requestUri: string) => ({ place: user.place, agent: user.agent, requestUri })
  const login = (user: User): Shape => {
    const [credentialType, authenticationProvider] = pick([
      ["PASSWORD", "OKTA_AUTHENTICATION_PROVIDER"],
      ["PASSWORD", "OKTA_AUTHENTICATION_PROVIDER"],
      ["PASSWORD", "OKTA_AUTHENTICATION_PROVIDER"],
      ["IWA", "ACTIVE_DIRECTORY"],
      ["ASSERTION", "FEDERATION"],
    ] as const)
    return {
      eventType: "user.session.start",
      displayMessage: "User login to Okta",
      legacyEventType: "core.user_auth.login_success",
      actor: principal(user),
      from: web(user, "/api/v1/authn"),
      outcome: { result: "SUCCESS", reason: null },
      credentialType,
      authenticationProvider,
    }
  }
  const failedLogin = (user: User): Shape => ({
    eventType: "user.session.start",
    displayMessage: "User login to Okta",
    legacyEventType: "core.user_auth.login_failed",
    actor: principal(user),
    from: { place: ATTACKER, agent: SCRIPT_AGENT, requestUri: "/api/v1/authn" },
    outcome: { result: "FAILURE", reason: "INVALID_CREDENTIALS" },
    severity: "WARN",
    // A failed sign-in grants no session and records no credential type.
    credentialType: null,
    sessionId: null,
  })
  const lifecycle =
    (eventType: string, displayMessage: string, legacyEventType: string | null) =>
    (user: User): Shape => {
      // Background jobs (group rules, lifecycle automations) act as the Okta system; admins act from the console.
      const byJob = random() < 0.4
      return {
        eventType,
        displayMessage,
        legacyEventType,
        actor: byJob ? SYSTEM : principal(admin),
        ...(byJob ? {} : { from: web(admin, `/api/v1/users/${user.id}/lifecycle`) }),
        outcome: { result: "SUCCESS", reason: null },
        target: [userTarget(user)],
      }
    }
  const single: ReadonlyArray<readonly [number, (user: User) => Shape]> = [
    [30, login],
    [
      12,
      (user) => ({
        eventType: "user.session.end",
        displayMessage: "User logout from Okta",
        legacyEventType: "core.user_auth.logout_success",
        actor: principal(user),
        from: web(user, "/login/signout"),
        outcome: { result: "SUCCESS", reason: null },
      }),
    ],
    [
      20,
      (user) => {
        const app = pick(apps)
        return {
          eventType: "user.authentication.sso",
          displayMessage: "User single sign on to app",
          legacyEventType: "app.auth.sso",
          actor: principal(user),
          from: web(user, `/app/${app.name.toLowerCase().replace(/\s+/g, "")}/${app.id}/sso/saml`),
          outcome: { result: "SUCCESS", reason: null },
          target: [
            {
              id: app.id,
              type: "AppInstance",
              alternateId: app.name,
              displayName: app.name,
              detailEntry: { signOnModeType: "SAML_2_0" },
            },
            {
              id: oktaId("0ua"),
              type: "AppUser",
              alternateId: user.login,
              displayName: user.name,
              detailEntry: null,
            },
          ],
        }
      },
    ],
    [
      12,
      (user) => ({
        eventType: "policy.evaluate_sign_on",
        displayMessage: "Evaluation of sign-on policy",
        legacyEventType: null,
        actor: principal(user),
        from: web(user, "/idp/idx/identify"),
        outcome: { result: "ALLOW", reason: "Sign-on policy evaluation resulted in ALLOW" },
        target: [
          {
            id: policy.id,
            type: "PolicyEntity",
            alternateId: "unknown",
            displayName: "Default Policy",
            detailEntry: { policyType: "OKTA_SIGN_ON" },
          },
          {
            id: policy.rule,
            type: "PolicyRule",
            alternateId: "unknown",
            displayName: "Default Rule",
            detailEntry: null,
          },
        ],
      }),
    ],
    [
      6,
      (user) => {
        const app = pick(apps)
        const byJob = random() < 0.5
        return {
          eventType: "application.user_membership.add",
          displayMessage: "Add user to application membership",
          legacyEventType: "app.generic.provision.assign_user_to_app",
          actor: byJob ? SYSTEM : principal(admin),
          ...(byJob ? {} : { from: web(admin, `/api/v1/apps/${app.id}/users`) }),
          outcome: { result: "SUCCESS", reason: null },
          target: [
            {
              id: oktaId("0ua"),
              type: "AppUser",
              alternateId: user.login,
              displayName: user.name,
              detailEntry: null,
            },
            {
              id: app.id,
              type: "AppInstance",
              alternateId: app.name,
              displayName: app.name,
              detailEntry: null,
            },
            userTarget(user),
          ],
        }
      },
    ],
    [3, lifecycle("user.lifecycle.create", "Create Okta user", "core.user.config.user_creation.success")],
    [3, lifecycle("user.lifecycle.activate", "Activate Okta user", "core.user.config.user_activated")],
    [2, lifecycle("user.lifecycle.deactivate", "Deactivate Okta user", "core.user.config.user_deactivated")],
    [2, lifecycle("user.lifecycle.suspend", "Suspend Okta user", "core.user.config.user_status.suspended")],
    [1, lifecycle("user.lifecycle.delete.initiated", "Delete Okta user", null)],
  ]
  const totalWeight = single.reduce((sum, [weight]) => sum + weight, 0)
  const anyShape = (): Shape => {
    let roll = random() * totalWeight
    for (const [weight, make] of single) {
      roll -= weight
      if (roll < 0) return make(pick(users))
    }
    return login(pick(users))
  }
  const fromAttacker = (requestUri: string) => ({ place: ATTACKER, agent: SCRIPT_AGENT, requestUri })
  /**
   * What follows failed passwords in Okta's System Log (event-type catalogue,
   * https://developer.okta.com/docs/reference/api/event-types/): the account locked, the MFA factor failed, the
   * owner denying the push the attacker set off, or the sign-on policy denying the attempt.
   */
  const followUps: ReadonlyArray<(user: User) => Shape> = [
    (user) => ({
      eventType: "user.account.lock",
      displayMessage: "Max sign in attempts exceeded",
      legacyEventType: "core.user_auth.account_locked",
      actor: principal(user),
      from: fromAttacker("/api/v1/authn"),
      outcome: { result: "FAILURE", reason: "LOCKED_OUT" },
      severity: "WARN",
      credentialType: null,
      sessionId: null,
    }),
    (user) => ({
      eventType: "user.authentication.auth_via_mfa",
      displayMessage: "Authentication of user via MFA",
      legacyEventType: "core.user.factor.attempt_fail",
      actor: principal(user),
      from: fromAttacker("/idp/idx/challenge/answer"),
      outcome: { result: "FAILURE", reason: "VERIFICATION_ERROR" },
      severity: "WARN",
      credentialType: "OTP",
      sessionId: null,
    }),
    (user) => ({
      eventType: "user.mfa.okta_verify.deny_push",
      displayMessage: "User rejected Okta push verify",
      legacyEventType: "core.user.factor.attempt_fail",
      actor: principal(user),
      from: web(user, "/idp/authenticators/okta-verify/deny"),
      outcome: { result: "FAILURE", reason: null },
      severity: "WARN",
      sessionId: null,
    }),
    (user) => ({
      eventType: "policy.evaluate_sign_on",
      displayMessage: "Evaluation of sign-on policy",
      legacyEventType: null,
      actor: principal(user),
      from: fromAttacker("/idp/idx/identify"),
      outcome: { result: "DENY", reason: "Sign-on policy evaluation resulted in DENY" },
      severity: "WARN",
      sessionId: null,
      target: [
        {
          id: policy.id,
          type: "PolicyEntity",
          alternateId: "unknown",
          displayName: "Default Policy",
          detailEntry: { policyType: "OKTA_SIGN_ON" },
        },
      ],
    }),
  ]
  /**
   * One target, several failures within seconds, from one address: what a SIEM should flag; with `followUp`,
   * one of the events that follow such failures ends it.
   */
  const failedBurst = (size: number, followUp: boolean): Array<Shape> => {
    const victim = pick(users.slice(1))
    const failures = Array.from({ length: size }, () => failedLogin(victim))
    return followUp ? [...failures, pick(followUps)(victim)] : failures
  }

  return {
    history: (count, now, spanMs) => {
      const events: Array<{ event: Json; persistedAt: number }> = []
      const step = spanMs / Math.max(1, count)
      let at = now - spanMs
      while (events.length < count) {
        const room = count - events.length
        const attack = () => {
          const size = Math.min(3 + int(3), room)
          return failedBurst(size, size < room)
        }
        const shapes = random() < 0.1 ? attack() : [anyShape()]
        for (const shape of shapes) {
          const published = Math.round(Math.min(at, now - 1_000))
          events.push({
            event: logEvent(shape, published),
            persistedAt: Math.min(now, published + int(1_500)),
          })
          // Bursts are seconds apart; ordinary events spread evenly over the span.
          at += shapes.length > 1 ? 1_000 + int(2_000) : step * (0.5 + random())
        }
      }
      return events
    },
    burst: (count, now) => {
      const failures = count >= 2 ? Math.max(1, Math.floor(count / 4)) : 0
      const followUp = count >= 8
      const shapes = [
        ...failedBurst(failures, followUp),
        ...Array.from({ length: count - failures - (followUp ? 1 : 0) }, anyShape),
      ]
      return shapes.map((shape) => logEvent(shape, now))
    },
  }
}
