// Realistic organization events from a seed, in the shape of Atlassian's event model and of events others
// recorded (Panther, Sumo Logic, grove): `{id, type: "events", attributes: {time, processedAt, action, actor,
// context, container, location}, links, message}`. Action keys: `user_login`, `user_logout`, `user_created`,
// `user_granted_role`, `user_revoked_role`, `group_created`, `added_org_admin` as Panther's Atlassian data
// model records them; `jira_issue_viewed` and `user_logged_in_as_user` as recorded events show them. The
// deactivation key `user_deactivated` is this simulator's own: Atlassian publishes no key list, only display
// names ("Deactivated account").

import { seededRandom } from "../kit/seededRandom.ts"

type Event = Record<string, unknown>

export type MalformedEvent = "missing-id" | "zoneless-time"

const NAMES = [
  "Ana Okafor",
  "Ben Lindqvist",
  "Chloe Moreau",
  "Dev Tanaka",
  "Elif Silva",
  "Farid Novak",
  "Grace Haddad",
]
// Documentation address ranges (RFC 5737) only.
const PLACES = [
  { ip: "198.51.100.", countryName: "Germany", regionName: "Berlin", city: "Berlin" },
  { ip: "203.0.113.", countryName: "United States", regionName: "California", city: "San Francisco" },
  { ip: "192.0.2.", countryName: "Australia", regionName: "New South Wales", city: "Sydney" },
]
const ROLES = ["atlassian/user", "atlassian/admin", "jira-software/user", "confluence/user"]
const GROUPS = ["jira-software-users", "confluence-users", "site-admins", "org-admins", "contractors"]

export interface GeneratedEvent {
  /** Epoch ms the event happened (`attributes.time`). */
  readonly time: number
  /** Epoch ms Atlassian processed it (`attributes.processedAt`); the stream's order. */
  readonly processedAt: number
  readonly event: Event
}

export interface OrgEventGenerator {
  /** `count` events over `spanMs` before `now`, oldest processed first; some share a time, a few are processed minutes late. */
  readonly history: (count: number, now: number, spanMs: number) => Array<GeneratedEvent>
  /** `count` events happening and processed at `now`. */
  readonly burst: (count: number, now: number) => Array<GeneratedEvent>
  readonly malformed: (flaw: MalformedEvent, now: number) => GeneratedEvent
}

const iso = (ms: number) => new Date(ms).toISOString()

export const orgEventGenerator = (
  seed: number,
  orgId: string,
  apiOrigin: () => string,
): OrgEventGenerator => {
  const { next, int, pick, chars } = seededRandom(seed)
  const hex = (n: number) => chars("0123456789abcdef", n)
  const people = NAMES.map((name) => {
    const [first = "x", last = "y"] = name.toLowerCase().split(" ")
    return {
      id: `5b${hex(22)}`,
      name,
      email: `${first}.${last}@acme.example`,
      place: pick(PLACES),
      host: 10 + int(200),
    }
  })
  const admins = people.slice(0, 2)
  const site = { id: randomUUIDFrom(hex), siteName: "acme", siteHostName: "https://acme.atlassian.net" }

  const userObject = (person: (typeof people)[number]) => ({
    id: person.id,
    type: "users",
    attributes: { email: person.email, name: person.name, accountType: "atlassian" },
    links: { alt: `https://admin.atlassian.com/o/${orgId}/users/${person.id}` },
  })
  const siteObject = () => ({
    id: site.id,
    type: "sites",
    attributes: { siteName: site.siteName, siteHostName: site.siteHostName },
    links: { alt: site.siteHostName },
  })
  const actorOf = (person: (typeof people)[number], viaToken: boolean) => ({
    id: person.id,
    name: person.name,
    email: person.email,
    ...(viaToken ? { auth: { authType: "api-token", tokenId: hex(24), tokenLabel: "siem-export" } } : {}),
    links: { self: `https://api.atlassian.com/users/${person.id}/manage/profile` },
  })
  const locationOf = (person: (typeof people)[number]) => ({
    ip: `${person.place.ip}${person.host}`,
    countryName: person.place.countryName,
    regionName: person.place.regionName,
    city: person.place.city,
  })

  const one = (time: number, processedAt: number): Event => {
    const id = randomUUIDFrom(hex)
    const person = pick(people)
    const admin = pick(admins)
    const roll = next()
    const [action, actor, context, container, message]: [
      string,
      typeof person,
      Array<object>,
      Array<object>,
      string,
    ] =
      roll < 0.35
        ? ["user_login", person, [userObject(person)], [], "Logged in to account"]
        : roll < 0.45
          ? ["user_logout", person, [userObject(person)], [], "Logged out of account"]
          : roll < 0.52
            ? ["user_created", admin, [userObject(person)], [siteObject()], `Created user ${person.email}`]
            : roll < 0.57
              ? ["user_deactivated", admin, [userObject(person)], [], `Deactivated account ${person.email}`]
              : roll < 0.64
                ? [
                    "user_granted_role",
                    admin,
                    [userObject(person)],
                    [siteObject()],
                    `Granted ${pick(ROLES)} to ${person.email}`,
                  ]
                : roll < 0.67
                  ? [
                      "user_revoked_role",
                      admin,
                      [userObject(person)],
                      [siteObject()],
                      `Revoked ${pick(ROLES)} from ${person.email}`,
                    ]
                  : roll < 0.71
                    ? [
                        "group_created",
                        admin,
                        [{ id: hex(24), type: "groups", attributes: { name: pick(GROUPS) } }],
                        [],
                        "Created group",
                      ]
                    : roll < 0.73
                      ? [
                          "added_org_admin",
                          admin,
                          [userObject(person)],
                          [],
                          `Added ${person.email} as organization admin`,
                        ]
                      : roll < 0.75
                        ? [
                            "user_logged_in_as_user",
                            admin,
                            [userObject(person)],
                            [siteObject()],
                            `Logged in as ${person.email}`,
                          ]
                        : [
                            "jira_issue_viewed",
                            person,
                            [],
                            [
                              {
                                ...siteObject(),
                                attributes: { ...siteObject().attributes, issueKeyOrId: `WEB-${int(30000)}` },
                              },
                            ],
                            "Viewed Jira issue",
                          ]
    return {
      id,
      type: "events",
      attributes: {
        time: iso(time),
        processedAt: iso(processedAt),
        action,
        actor: actorOf(actor, action !== "user_login" && action !== "user_logout" && next() < 0.1),
        context,
        container,
        location: locationOf(actor),
      },
      links: { self: `${apiOrigin()}/admin/v1/orgs/${orgId}/events/${id}` },
      message: { content: message, format: "simple" },
    }
  }

  return {
    history: (count, now, spanMs) => {
      const times = Array.from({ length: count }, () => Math.floor(now - next() * spanMs)).sort(
        (a, b) => a - b,
      )
      // Admin bulk actions: several events with the very same time.
      for (let i = 1; i < times.length; i++) if (next() < 0.25) times[i] = times[i - 1] as number
      return times
        .map((time) => {
          // Usually processed within seconds; now and then minutes late (the stream's order absorbs it).
          const delay = next() < 0.08 ? 120_000 + int(480_000) : 200 + int(3000)
          const processedAt = Math.min(now, time + delay)
          return { time, processedAt, event: one(time, processedAt) }
        })
        .sort((a, b) => a.processedAt - b.processedAt)
    },
    burst: (count, now) =>
      Array.from({ length: count }, () => ({ time: now, processedAt: now, event: one(now, now) })),
    malformed: (flaw, now) => {
      const event = one(now, now)
      if (flaw === "missing-id") {
        const { id: _id, ...rest } = event
        return { time: now, processedAt: now, event: rest }
      }
      const attributes = event.attributes as Record<string, unknown>
      return {
        time: now,
        processedAt: now,
        event: { ...event, attributes: { ...attributes, time: iso(now).replace("Z", "") } },
      }
    },
  }
}

/** A UUID-shaped id from the seeded source (node's `randomUUID` would not replay). */
const randomUUIDFrom = (hex: (n: number) => string): string =>
  `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Number.parseInt(hex(1), 16) % 4]}${hex(3)}-${hex(12)}`
