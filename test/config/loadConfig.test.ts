import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Either, Redacted, Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { exampleConfig, exampleConfigPath } from "../../scripts/exampleConfig.ts"
import { durationMs, retentionMs } from "../../src/config/ConnectorConfig.ts"
import { type LoadedConfig, parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { IntegrationNames, providers } from "../../src/providers/registry.ts"

const exampleFile = resolve(import.meta.dirname, "../../config/connector.example.yaml")
const exampleText = readFileSync(exampleFile, "utf8")

const envReference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g
const referencesIn = (text: string) => [...new Set([...text.matchAll(envReference)].map((m) => m[1] ?? ""))]
/** The example without its comments: what the loader actually reads. */
const exampleActiveText = exampleText
  .split("\n")
  .map((line) => line.replace(/(^|\s)#.*$/, ""))
  .join("\n")
const activeReferences = referencesIn(exampleActiveText)

/** Every variable the example mentions, commented alternatives included, each with a distinct ≥32-char value. */
const exampleEnv: Record<string, string> = Object.fromEntries(
  referencesIn(exampleText).map((name) => [name, `test-value-of-${name}-0123456789abcdef0123456789abcdef`]),
)

const parseExample = (env: NodeJS.ProcessEnv = exampleEnv) => parseConfig(exampleFile, exampleText, env)

const loaded = (result: ReturnType<typeof parseConfig>): LoadedConfig => {
  if (Either.isLeft(result)) throw new Error(`expected a valid config, got:\n${result.left.message}`)
  return result.right
}

const problemsOf = (result: ReturnType<typeof parseConfig>): ReadonlyArray<string> => {
  if (Either.isRight(result)) throw new Error("expected the config to be rejected, but it loaded")
  return result.left.problems
}

/** An account's decoded credentials, back in the config's keys. */
const configKeysOf = (account: IntegratedAccount): Record<string, string> =>
  Schema.encodeSync(providers[account.integration as keyof typeof providers].credentials)(account.credentials)

const ids = [
  "9342a527-27bc-4a67-af0d-9837377431f1",
  "12007081-f05a-42a4-ad6f-26ba5e2a4cf8",
  "0a992b79-9884-41b6-830d-e10fa5a216b9",
] as const

/** A minimal valid document with the given accounts (YAML list items) and extra top-level sections. */
const doc = (accounts: string, extra = "") => `server:
  api_keys: ["an-api-key-of-sufficient-length"]
  cursor_secret: "a-cursor-secret-that-is-at-least-32-characters"
${extra}accounts:
${accounts}`

const okta = (id: string = ids[0]) => `  - id: ${id}
    integration: okta
    base_url: https://example.okta.com
    credentials: { api_token: okta-token }
`

describe("config/connector.example.yaml", () => {
  it("references environment variables for the API keys, cursor secret and credentials", () => {
    expect(activeReferences).toEqual(expect.arrayContaining(["CONNECTOR_API_KEY", "CONNECTOR_CURSOR_SECRET"]))
    expect(activeReferences.length).toBeGreaterThan(13)
  })

  it("parses with every referenced variable set, into one account per integration", () => {
    const { config, accounts } = loaded(parseExample())
    // As many as the registry lists (13 today), so a provider added by `npm run new-provider` needs no edit here.
    expect(accounts).toHaveLength(IntegrationNames.length)
    expect(config.accounts).toHaveLength(IntegrationNames.length)
    expect(accounts.map((a) => a.account.integration).sort()).toEqual([...IntegrationNames].sort())
    expect(new Set(accounts.map((a) => a.account.id)).size).toBe(IntegrationNames.length)

    expect(config.server.api_keys).toEqual([exampleEnv.CONNECTOR_API_KEY])
    expect(config.server.cursor_secret).toBe(exampleEnv.CONNECTOR_CURSOR_SECRET)
    // Every credential value came from the environment, none is written in the file.
    const envValues = new Set(Object.values(exampleEnv))
    for (const { account } of accounts) {
      const credentials = configKeysOf(account)
      expect(Object.keys(credentials).length, account.integration).toBeGreaterThan(0)
      for (const [key, value] of Object.entries(credentials)) {
        expect(envValues.has(value), `${account.integration}.credentials.${key}`).toBe(true)
      }
    }
  })

  it("needs every variable it references: leaving any one unset is reported", () => {
    for (const name of activeReferences) {
      const { [name]: _, ...env } = exampleEnv
      const problems = problemsOf(parseExample(env))
      expect(
        problems.some((p) => p.includes(`environment variable ${name} is not set`)),
        name,
      ).toBe(true)
    }
  })

  it("enables only the integrations whose provider client is built (they have streams), and gives the account-specific keys", () => {
    const { accounts } = loaded(parseExample())
    const byIntegration = Object.fromEntries(accounts.map((a) => [a.account.integration, a]))
    expect(accounts.filter((a) => a.config.enabled).map((a) => a.account.integration)).toEqual(
      IntegrationNames.filter((name) => providers[name].streams.length > 0),
    )

    for (const integration of ["okta", "jira", "confluence", "zendesk", "salesforce"] as const) {
      expect(byIntegration[integration]?.config.base_url, integration).toMatch(/^https:\/\/example\./)
    }
    expect(byIntegration.okta?.account.baseUrl.host).toBe("example.okta.com")
    expect(byIntegration.asana?.account.settings.organization_id).toMatch(/^\d+$/)
    expect(byIntegration.github?.account.settings.organization_id).toBe("example-org")

    const startFroms = new Set(accounts.map((a) => a.config.start_from))
    expect(startFroms).toContain("now")
    expect(startFroms).toContain("earliest")
    expect([...startFroms].some((s) => !Number.isNaN(Date.parse(s)))).toBe(true)
    expect(accounts.filter((a) => a.config.poll_interval !== undefined)).toHaveLength(1)
  })

  it("spells out the defaults it relies on", () => {
    const { config } = loaded(parseExample())
    const { config: defaults } = loaded(parseConfig("defaults.yaml", doc("  []\n"), {}))
    expect(config.kafka.topics).toEqual(defaults.kafka.topics)
    expect(config.poll).toEqual(defaults.poll)
    expect(config.kafka.partitions).toBe(defaults.kafka.partitions)
    expect(config.kafka.replication_factor).toBe(defaults.kafka.replication_factor)
    expect(config.kafka.max_message_bytes).toBe(defaults.kafka.max_message_bytes)
    expect(config.kafka.remote_data).toEqual(defaults.kafka.remote_data)
    expect(config.server.port).toBe(defaults.server.port)
    expect(config.provider).toEqual(defaults.provider)
  })
})

describe("parseConfig", () => {
  it("applies the defaults to what the file leaves out", () => {
    const { config, accounts } = loaded(parseConfig("minimal.yaml", doc(okta()), {}))
    expect(config.server.port).toBe(8080)
    expect(config.server.host).toBe("0.0.0.0")
    expect(config.kafka.brokers).toBeUndefined()
    expect(config.kafka.topics).toEqual({
      activities: "user-directory.activities",
      login_failed: "user-directory.activities.login_failed",
      dead_letter: "user-directory.activities.dead-letter",
      checkpoints: "user-directory.activities.checkpoints",
      ocsf: "user-directory.activities.ocsf",
    })
    expect(config.kafka.ocsf).toEqual({ enabled: false })
    expect(config.kafka.client_id).toBe("siem-activity-connector")
    expect(config.kafka.partitions).toBe(3)
    expect(config.kafka.replication_factor).toBe(-1)
    expect(config.kafka.max_message_bytes).toBe(1_000_000)
    expect(config.kafka.remote_data).toEqual({ include: true })
    expect(config.poll.interval).toBe("30s")
    expect(durationMs(config.poll.interval)).toBe(30_000)
    expect(config.poll.jitter).toBe(0.2)
    expect(config.poll.page_size).toBe(100)
    expect(config.log_level).toBe("info")
    expect(config.provider.max_response_bytes).toBe(32 * 1024 * 1024)

    expect(accounts).toHaveLength(1)
    expect(accounts[0]?.config.start_from).toBe("now")
    expect(accounts[0]?.config.enabled).toBe(true)
    expect(accounts[0]?.account.settings).toEqual({})
  })

  it("a YAML true/false setting is kept as the text the providers read; HubSpot's audit_logs takes only those", () => {
    const hubspot = (settings: string) => `  - id: ${ids[1]}
    integration: hubspot
    credentials: { access_token: pat-na1-token }
    settings: ${settings}
`
    const { accounts } = loaded(parseConfig("flag.yaml", doc(hubspot("{ audit_logs: true }")), {}))
    expect(accounts[0]?.account.settings).toEqual({ audit_logs: "true" })
    const off = loaded(parseConfig("flag.yaml", doc(hubspot("{ audit_logs: false }")), {}))
    expect(off.accounts[0]?.account.settings).toEqual({ audit_logs: "false" })
    const problems = problemsOf(parseConfig("flag.yaml", doc(hubspot("{ audit_logs: sometimes }")), {}))
    expect(problems.join("\n")).toContain("accounts[0].settings.audit_logs")
  })

  it("keeps a partly given section's other defaults", () => {
    const { config } = loaded(
      parseConfig(
        "partial.yaml",
        doc(okta(), "kafka:\n  topics: { activities: siem.activities }\npoll: { interval: 5m }\n"),
        {},
      ),
    )
    expect(config.kafka.topics.activities).toBe("siem.activities")
    expect(config.kafka.topics.checkpoints).toBe("user-directory.activities.checkpoints")
    expect(durationMs(config.poll.interval)).toBe(300_000)
    expect(config.poll.page_size).toBe(100)
  })

  it("kafka.retention: absent is the broker's default; a duration in ms…d, or infinite (-1)", () => {
    const retentionOf = (value: string | undefined) => {
      const { config } = loaded(
        parseConfig(
          "retention.yaml",
          doc(okta(), value === undefined ? "" : `kafka: { retention: ${value} }\n`),
          {},
        ),
      )
      return config.kafka.retention === undefined ? undefined : retentionMs(config.kafka.retention)
    }
    expect(retentionOf(undefined)).toBeUndefined()
    expect(retentionOf("30d")).toBe(30 * 86_400_000)
    expect(retentionOf("12h")).toBe(12 * 3_600_000)
    expect(retentionOf("1.5d")).toBe(36 * 3_600_000)
    expect(retentionOf("infinite")).toBe(-1)
    // `d` is a duration unit everywhere durations are read.
    const { config } = loaded(parseConfig("poll.yaml", doc(okta(), "poll: { interval: 1d }\n"), {}))
    expect(durationMs(config.poll.interval)).toBe(86_400_000)
    expect(config.poll.concurrent_reads).toBe(32)
  })

  it("resolves accounts: lower-case id, base URL default or given, organization_id as a setting", () => {
    const { accounts } = loaded(
      parseConfig(
        "accounts.yaml",
        doc(`${okta(ids[0].toUpperCase())}  - id: ${ids[1]}
    integration: github
    organization_id: example-org
    credentials: { access_token: gh-token }
`),
        {},
      ),
    )
    expect(accounts.map((a) => a.account.id)).toEqual([ids[0], ids[1]])
    expect(accounts[0]?.account.baseUrl.href).toBe("https://example.okta.com/")
    expect(accounts[1]?.account.baseUrl.href).toBe("https://api.github.com/")
    expect(accounts[1]?.account.settings).toEqual({ organization_id: "example-org" })
  })

  it("accepts every credential form of an integration", () => {
    const forms = [
      { email: "a@example.com", api_token: "t" },
      { access_token: "t" },
      // A richer form wins when several are present; extra keys do not fail the simpler one either.
      { email: "a@example.com", api_token: "t", access_token: "t" },
    ]
    for (const credentials of forms) {
      const yaml = doc(`  - id: ${ids[0]}
    integration: jira
    base_url: https://example.atlassian.net
    credentials: ${JSON.stringify(credentials)}
`)
      expect(Either.isRight(parseConfig("forms.yaml", yaml, {})), JSON.stringify(credentials)).toBe(true)
    }
  })

  describe("environment variable expansion", () => {
    it("substitutes variables anywhere in a string value", () => {
      const yaml = doc(
        `  - id: ${ids[0]}
    integration: okta
    base_url: https://\${OKTA_ORG}.okta.com
    credentials: { api_token: "\${OKTA_TOKEN}" }
`,
        `kafka:\n  brokers: ['\${KAFKA_HOST}:9092']\n`,
      )
      const { config, accounts } = loaded(
        parseConfig("env.yaml", yaml, { OKTA_ORG: "acme", OKTA_TOKEN: "tok-123", KAFKA_HOST: "broker" }),
      )
      expect(accounts[0]?.account.baseUrl.host).toBe("acme.okta.com")
      expect(accounts[0] && configKeysOf(accounts[0].account)).toEqual({ api_token: "tok-123" })
      expect(config.kafka.brokers).toEqual(["broker:9092"])
    })

    it("reports an unset variable with the path of the key that references it", () => {
      const yaml = doc(`  - id: ${ids[0]}
    integration: okta
    base_url: https://example.okta.com
    credentials: { api_token: "\${OKTA_TOKEN_UNSET}" }
`).replace("an-api-key-of-sufficient-length", `\${API_KEY_UNSET}`)
      const problems = problemsOf(parseConfig("env.yaml", yaml, {}))
      expect(problems).toContain(
        "accounts[0].credentials.api_token: environment variable OKTA_TOKEN_UNSET is not set",
      )
      expect(problems).toContain("server.api_keys[0]: environment variable API_KEY_UNSET is not set")
    })

    it("does not treat an empty value as unset, but still validates it", () => {
      const problems = problemsOf(
        parseConfig("env.yaml", doc(okta()).replace("okta-token", `'\${OKTA_TOKEN}'`), { OKTA_TOKEN: "" }),
      )
      expect(problems.join("\n")).not.toContain("is not set")
      expect(problems).toContain("accounts[0].credentials.api_token: Expected a non empty string")
    })
  })

  describe("server.api_keys: plain keys, or keys scoped to accounts or integrations", () => {
    const withKeys = (keys: string) =>
      doc(okta()).replace(`api_keys: ["an-api-key-of-sufficient-length"]`, `api_keys:\n${keys}`)

    it("accepts both forms side by side", () => {
      const { config } = loaded(
        parseConfig(
          "keys.yaml",
          withKeys(`    - an-api-key-of-sufficient-length
    - { key: a-key-for-one-account-0123, accounts: ["${ids[0].toUpperCase()}"] }
    - { key: a-key-for-okta-accounts-0123, integrations: [okta] }
`),
          {},
        ),
      )
      expect(config.server.api_keys).toEqual([
        "an-api-key-of-sufficient-length",
        { key: "a-key-for-one-account-0123", accounts: [ids[0].toUpperCase()] },
        { key: "a-key-for-okta-accounts-0123", integrations: ["okta"] },
      ])
    })

    it("a scope naming no configured account or an unknown integration, a short or missing key: each named once", () => {
      const problems = problemsOf(
        parseConfig(
          "keys.yaml",
          withKeys(`    - { key: a-key-for-one-account-0123, accounts: ["${ids[1]}", not-a-uuid] }
    - { key: a-key-for-okta-accounts-0123, integrations: [octa] }
    - { key: short-key }
    - { accounts: ["${ids[0]}"] }
    - short
`),
          {},
        ),
      )
      expect(problems).toEqual([
        "server.api_keys[0].accounts[1]: must be a uuid",
        "server.api_keys[2].key: must be at least 16 characters",
        "server.api_keys[3].key: missing",
        "server.api_keys[4]: must be at least 16 characters",
      ])
      const scoped = problemsOf(
        parseConfig(
          "keys.yaml",
          withKeys(`    - { key: a-key-for-one-account-0123, accounts: ["${ids[1]}"] }
    - { key: a-key-for-okta-accounts-0123, integrations: [octa] }
`),
          {},
        ),
      )
      expect(scoped).toEqual([
        "server.api_keys[0].accounts[0]: no account has this id",
        `server.api_keys[1].integrations[0]: must be one of ${IntegrationNames.join(", ")}`,
      ])
    })
  })

  describe("secrets from files: a file: reference", () => {
    const secrets = mkdtempSync(join(tmpdir(), "connector-secret-files-"))
    afterAll(() => rmSync(secrets, { recursive: true, force: true }))
    const secretFile = (name: string, content: string) => {
      const path = join(secrets, name)
      writeFileSync(path, content)
      return path
    }

    it("substitutes the file's content without its trailing newline, beside an environment variable", () => {
      const token = secretFile("okta_token", "okta-token-from-a-file\n")
      const key = secretFile("api_key", "an-api-key-from-a-mounted-secret\r\n")
      const yaml = doc(
        `  - id: ${ids[0]}
    integration: okta
    base_url: https://\${OKTA_ORG}.okta.com
    credentials: { api_token: "\${file:${token}}" }
`,
      ).replace("an-api-key-of-sufficient-length", `\${file:${key}}`)
      const { config, accounts } = loaded(parseConfig("files.yaml", yaml, { OKTA_ORG: "acme" }))
      expect(accounts[0] && configKeysOf(accounts[0].account)).toEqual({
        api_token: "okta-token-from-a-file",
      })
      expect(accounts[0]?.account.baseUrl.host).toBe("acme.okta.com")
      expect(config.server.api_keys).toEqual(["an-api-key-from-a-mounted-secret"])
    })

    it("reads a relative path from the config file's directory, and keeps a reference inside the secret as it is", () => {
      secretFile("literal", `tok-with-\${NOT_A_VARIABLE}\n`)
      const yaml = doc(okta()).replace("okta-token", `"\${file:literal}"`)
      const { accounts } = loaded(parseConfig(join(secrets, "connector.yaml"), yaml, {}))
      expect(accounts[0] && configKeysOf(accounts[0].account)).toEqual({
        api_token: `tok-with-\${NOT_A_VARIABLE}`,
      })
    })

    it("a missing or unreadable file is a problem naming the key and the file, never the content", () => {
      const missing = join(secrets, "absent")
      const directory = mkdtempSync(join(secrets, "dir-"))
      const yaml = doc(okta())
        .replace("okta-token", `"\${file:${missing}}"`)
        .replace("an-api-key-of-sufficient-length", `\${file:${directory}}`)
      const problems = problemsOf(parseConfig("files.yaml", yaml, {}))
      expect(problems).toContain(
        `accounts[0].credentials.api_token: cannot read file ${missing} (no such file)`,
      )
      expect(problems).toContain(`server.api_keys[0]: cannot read file ${directory} (is a directory)`)
    })

    it("a secret of the wrong shape is reported without its content", () => {
      const short = secretFile("short_key", "short-secret\n")
      const problems = problemsOf(
        parseConfig(
          "files.yaml",
          doc(okta()).replace("an-api-key-of-sufficient-length", `\${file:${short}}`),
          {},
        ),
      )
      expect(problems.join("\n")).toContain("server.api_keys[0]")
      expect(problems.join("\n")).not.toContain("short-secret")
    })
  })

  describe("reports every bad key with its path", () => {
    it("a Jira account with only an email: api_token missing", () => {
      const problems = problemsOf(
        parseConfig(
          "jira.yaml",
          doc(`  - id: ${ids[0]}
    integration: jira
    base_url: https://example.atlassian.net
    credentials: { email: someone@example.com }
`),
          {},
        ),
      )
      expect(problems).toContain("accounts[0].credentials.api_token: missing")
    })

    it("the account's index in the path", () => {
      const problems = problemsOf(
        parseConfig(
          "index.yaml",
          doc(`${okta(ids[0])}${okta(ids[1])}  - id: ${ids[2]}
    integration: zendesk
    base_url: https://example.zendesk.com
    credentials: { email: agent@example.com }
`),
          {},
        ),
      )
      expect(problems).toContain("accounts[2].credentials.api_token: missing")
      expect(problems.filter((p) => p.startsWith("accounts[0]") || p.startsWith("accounts[1]"))).toEqual([])
    })

    it("a bad uuid", () => {
      const problems = problemsOf(parseConfig("uuid.yaml", doc(okta("not-a-uuid")), {}))
      expect(problems).toContain("accounts[0].id: must be a uuid")
    })

    it("an unknown integration", () => {
      const problems = problemsOf(
        parseConfig("integration.yaml", doc(okta().replace("integration: okta", "integration: octa")), {}),
      )
      expect(problems.length).toBeGreaterThan(0)
      expect(problems.every((p) => p.startsWith("accounts[0].integration: "))).toBe(true)
      expect(problems).toEqual([`accounts[0].integration: must be one of ${IntegrationNames.join(", ")}`])
    })

    it("a missing base_url for okta", () => {
      const problems = problemsOf(
        parseConfig("base-url.yaml", doc(okta().replace("    base_url: https://example.okta.com\n", "")), {}),
      )
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(/^accounts\[0\]\.base_url: missing\b/)
    })

    it("a base_url that is not an http(s) URL", () => {
      const problems = problemsOf(
        parseConfig("base-url.yaml", doc(okta().replace("https://example.okta.com", "example.okta.com")), {}),
      )
      expect(problems).toContain("accounts[0].base_url: must be an absolute http(s) URL")
    })

    it("a missing organization_id for github and asana (the spec's filter) and atlassian (its orgId path)", () => {
      const problems = problemsOf(
        parseConfig(
          "org.yaml",
          doc(`  - id: ${ids[0]}
    integration: github
    credentials: { access_token: gh-token }
  - id: ${ids[1]}
    integration: asana
    credentials: { access_token: asana-token }
  - id: ${ids[2]}
    integration: atlassian
    credentials: { access_token: atlassian-org-key }
`),
          {},
        ),
      )
      expect(problems).toEqual([
        "accounts[0].organization_id: missing (required for github)",
        "accounts[1].organization_id: missing (required for asana)",
        "accounts[2].organization_id: missing (required for atlassian)",
      ])
    })

    it("an unknown key, at any level", () => {
      const problems = problemsOf(
        parseConfig(
          "unknown.yaml",
          doc(`${okta()}    pol_interval: 10s\n`, "kafka:\n  topic: x\nlog_levle: debug\n"),
          {},
        ),
      )
      expect(problems).toContain("accounts[0].pol_interval: unknown key")
      expect(problems).toContain("kafka.topic: unknown key")
      expect(problems).toContain("log_levle: unknown key")
    })

    it("duplicate account ids, compared case-insensitively", () => {
      const problems = problemsOf(
        parseConfig("dup.yaml", doc(`${okta(ids[0])}${okta(ids[0].toUpperCase())}`), {}),
      )
      expect(problems).toEqual(["accounts[1].id: duplicate of accounts[0].id"])
    })

    it("a bad duration", () => {
      const problems = problemsOf(
        parseConfig(
          "duration.yaml",
          doc(`${okta()}    poll_interval: 5 minutes\n`, "poll: { interval: soon }\n"),
          {},
        ),
      )
      expect(problems.some((p) => p.startsWith("accounts[0].poll_interval: "))).toBe(true)
      expect(problems.some((p) => p.startsWith("poll.interval: "))).toBe(true)
    })

    it("a provider.max_response_bytes that is not a positive whole number of bytes", () => {
      for (const value of ["0", "-1", "1.5", "32MiB", "null"]) {
        const problems = problemsOf(
          parseConfig("cap.yaml", doc(okta(), `provider: { max_response_bytes: ${value} }\n`), {}),
        )
        expect(problems, value).toHaveLength(1)
        expect(problems[0], value).toMatch(/^provider\.max_response_bytes: /)
      }
      const { config } = loaded(
        parseConfig("cap.yaml", doc(okta(), "provider: { max_response_bytes: 65536 }\n"), {}),
      )
      expect(config.provider.max_response_bytes).toBe(65_536)
    })

    it("a provider.request_timeout that is not a duration of at least 1ms; 30s by default", () => {
      for (const value of ["0", "0s", "soon", "-1"]) {
        const problems = problemsOf(
          parseConfig("timeout.yaml", doc(okta(), `provider: { request_timeout: ${value} }\n`), {}),
        )
        expect(problems, value).toHaveLength(1)
        expect(problems[0], value).toMatch(/^provider\.request_timeout: /)
      }
      const given = loaded(
        parseConfig("timeout.yaml", doc(okta(), "provider: { request_timeout: 2s }\n"), {}),
      )
      expect(given.config.provider.request_timeout).toBe("2s")
      expect(loaded(parseConfig("timeout.yaml", doc(okta()), {})).config.provider.request_timeout).toBe("30s")
    })

    it("a provider.daily_allocation_share outside (0, 1]", () => {
      for (const value of ["0", "-0.5", "1.01", "80%", "null"]) {
        const problems = problemsOf(
          parseConfig("share.yaml", doc(okta(), `provider: { daily_allocation_share: ${value} }\n`), {}),
        )
        expect(problems, value).toHaveLength(1)
        expect(problems[0], value).toMatch(/^provider\.daily_allocation_share: /)
      }
      const { config } = loaded(
        parseConfig("share.yaml", doc(okta(), "provider: { daily_allocation_share: 0.5 }\n"), {}),
      )
      expect(config.provider.daily_allocation_share).toBe(0.5)
    })

    it("a bad kafka.retention, with the key's path", () => {
      for (const value of ["forever", "30 days", "0s", "-1d", "0"]) {
        const problems = problemsOf(
          parseConfig("retention.yaml", doc(okta(), `kafka: { retention: ${value} }\n`), {}),
        )
        expect(problems, value).toEqual([
          "kafka.retention: must be a duration of at least 1ms (30d, 12h, 90m…) or infinite",
        ])
      }
    })

    it("a bad start_from, port and log level", () => {
      const problems = problemsOf(
        parseConfig(
          "values.yaml",
          doc(`${okta()}    start_from: yesterday\n`, "log_level: verbose\n").replace(
            "server:\n",
            "server:\n  port: 70000\n",
          ),
          {},
        ),
      )
      expect(problems.some((p) => p.startsWith("accounts[0].start_from: "))).toBe(true)
      expect(problems.some((p) => p.startsWith("server.port: "))).toBe(true)
      expect(problems.some((p) => p.startsWith("log_level: "))).toBe(true)
    })

    it("short API keys and cursor secret, a missing server section's keys", () => {
      const short = problemsOf(
        parseConfig(
          "server.yaml",
          "server:\n  api_keys: [short]\n  cursor_secret: also-short\naccounts: []\n",
          {},
        ),
      )
      expect(short).toContain("server.api_keys[0]: must be at least 16 characters")
      expect(short).toContain("server.cursor_secret: must be at least 32 characters")

      const missing = problemsOf(parseConfig("server.yaml", "server: {}\n", {}))
      expect(missing).toEqual(
        expect.arrayContaining([
          "server.api_keys: missing",
          "server.cursor_secret: missing",
          "accounts: missing",
        ]),
      )
    })

    it("several problems at once, all listed", () => {
      const problems = problemsOf(
        parseConfig(
          "many.yaml",
          doc(`  - id: ${ids[0]}
    integration: jira
    base_url: https://example.atlassian.net
    credentials: { email: someone@example.com }
  - id: ${ids[1]}
    integration: github
    credentials: { access_token: gh-token }
  - id: ${ids[1]}
    integration: okta
    credentials: { api_token: okta-token }
`),
          {},
        ),
      )
      expect(problems).toEqual(
        expect.arrayContaining([
          "accounts[0].credentials.api_token: missing",
          "accounts[2].id: duplicate of accounts[1].id",
        ]),
      )
      expect(problems.some((p) => p.startsWith("accounts[1].organization_id: missing"))).toBe(true)
      expect(problems.some((p) => p.startsWith("accounts[2].base_url: missing"))).toBe(true)

      // Schema problems in different sections are listed together too.
      const schema = problemsOf(
        parseConfig(
          "many.yaml",
          doc(`${okta("bad-id")}    extra: 1\n`, "poll: { page_size: 0, concurrent_reads: 0 }\n"),
          {},
        ),
      )
      expect(schema).toContain("accounts[0].id: must be a uuid")
      expect(schema).toContain("accounts[0].extra: unknown key")
      expect(schema.some((p) => p.startsWith("poll.page_size: "))).toBe(true)
      expect(schema.some((p) => p.startsWith("poll.concurrent_reads: "))).toBe(true)
    })

    it("reports an empty or non-mapping document", () => {
      expect(problemsOf(parseConfig("empty.yaml", "", {}))).toEqual(
        expect.arrayContaining(["server: missing", "accounts: missing"]),
      )
      expect(problemsOf(parseConfig("list.yaml", "- a\n- b\n", {})).length).toBeGreaterThan(0)
    })
  })

  describe("never echoes a secret in a problem", () => {
    const secret = "S3CRET-do-not-print-7f3a9c"
    const secretEnv = { SECRET: secret }
    const expectNoSecret = (problems: ReadonlyArray<string>) => {
      expect(problems.length).toBeGreaterThan(0)
      expect(problems.join("\n")).not.toContain(secret)
      expect(problems.join("\n")).not.toContain("7f3a9c")
    }

    it("a credential of the wrong type or shape", () => {
      for (const credentials of [
        `{ api_token: [${secret}] }`,
        `{ api_token: { value: ${secret} } }`,
        `${secret}`,
        `[${secret}]`,
        `{ api_token: "" , access_token: "" , other: ${secret} }`,
      ]) {
        const problems = problemsOf(
          parseConfig("secret.yaml", doc(okta().replace("{ api_token: okta-token }", credentials)), {}),
        )
        expect(
          problems.some((p) => p.startsWith("accounts[0].credentials")),
          credentials,
        ).toBe(true)
        expectNoSecret(problems)
      }
    })

    it("a credential from the environment that has the wrong form for the integration", () => {
      // An Okta token given to a Jira account under Okta's key name: the form is wrong, the value is secret.
      const problems = problemsOf(
        parseConfig(
          "secret.yaml",
          doc(`  - id: ${ids[0]}
    integration: jira
    base_url: https://example.atlassian.net
    credentials: { api_token: "\${SECRET}" }
`),
          secretEnv,
        ),
      )
      expect(problems).toContain("accounts[0].credentials.email: missing")
      expectNoSecret(problems)
    })

    it("sasl.password of the wrong type", () => {
      const problems = problemsOf(
        parseConfig(
          "secret.yaml",
          doc(
            okta(),
            `kafka:\n  sasl: { mechanism: scram-sha-512, username: connector, password: [${secret}] }\n`,
          ),
          {},
        ),
      )
      expect(problems).toContain("kafka.sasl.password: Expected string")
      expectNoSecret(problems)
    })

    it("a valid sasl.password next to another bad kafka key", () => {
      for (const kafka of [
        `  sasl: { mechanism: scram-sha-1, username: connector, password: "\${SECRET}" }\n`,
        `  partitions: 0\n  sasl: { mechanism: scram-sha-512, username: connector, password: "\${SECRET}" }\n`,
      ]) {
        const problems = problemsOf(parseConfig("secret.yaml", doc(okta(), `kafka:\n${kafka}`), secretEnv))
        expect(
          problems.some((p) => p.startsWith("kafka.")),
          kafka,
        ).toBe(true)
        expectNoSecret(problems)
      }
    })

    it("server secrets that are too short", () => {
      const problems = problemsOf(
        parseConfig(
          "secret.yaml",
          `server:\n  api_keys: ["\${SHORT}"]\n  cursor_secret: "\${SHORT}"\naccounts: []\n`,
          { SHORT: "7f3a9c" },
        ),
      )
      expect(problems).toEqual([
        "server.api_keys[0]: must be at least 16 characters",
        "server.cursor_secret: must be at least 32 characters",
      ])
      expect(problems.join("\n")).not.toContain("7f3a9c")
    })
  })

  describe("YAML syntax errors", () => {
    it("are reported with their position, and nothing is validated", () => {
      const problems = problemsOf(parseConfig("broken.yaml", `${doc(okta())}  - id: [unclosed\n`, {}))
      expect(problems.length).toBeGreaterThan(0)
      expect(problems.every((p) => p.startsWith("YAML: "))).toBe(true)
      expect(problems.join("\n")).toMatch(/line \d+/)
    })

    it("a duplicate key is a syntax error, not a silent override", () => {
      const problems = problemsOf(
        parseConfig("dup-key.yaml", doc(okta()).replace("server:\n", "server:\n  port: 1\n  port: 2\n"), {}),
      )
      expect(problems.every((p) => p.startsWith("YAML: "))).toBe(true)
      expect(problems.join("\n")).toMatch(/unique/i)
    })

    it("a tab-indented document", () => {
      const problems = problemsOf(parseConfig("tabs.yaml", "server:\n\tport: 8080\n", {}))
      expect(problems.every((p) => p.startsWith("YAML: "))).toBe(true)
    })

    it("do not echo a secret written on the offending line", () => {
      const secret = "S3CRET-in-a-broken-line-51d0"
      const problems = problemsOf(
        parseConfig(
          "broken.yaml",
          doc(`  - id: ${ids[0]}
    integration: okta
    base_url: https://example.okta.com
    credentials:
      api_token: ${secret}: x
`),
          {},
        ),
      )
      expect(problems.every((p) => p.startsWith("YAML: "))).toBe(true)
      expect(problems.join("\n")).not.toContain(secret)
    })
  })
})

describe("config/connector.example.yaml is made from the registry", () => {
  it("is what `npm run example-config` writes: every registered integration's example.yaml, in registry order", () => {
    expect(readFileSync(exampleConfigPath, "utf8")).toBe(exampleConfig())
  })
})

describe("credentials_store: where rotated refresh tokens are kept", () => {
  const rotating = (rotation: string) => `  - id: ${ids[1]}
    integration: salesforce
    base_url: https://acme.my.salesforce.com
    credentials: { client_id: app, client_secret: secret, refresh_token: refresh }
    settings: { refresh_token_rotation: ${rotation} }
`
  const dir = mkdtempSync(join(tmpdir(), "credentials-store-key-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("an account whose refresh token rotates needs the key, and the problem names the path", () => {
    expect(problemsOf(parseConfig("c.yaml", doc(rotating("true")), {}))).toEqual([
      expect.stringMatching(/^credentials_store\.key: missing \(accounts\[0\] rotates its refresh token/),
    ])
    // No rotation declared: nothing to keep, no key needed.
    expect(loaded(parseConfig("c.yaml", doc(rotating("false")), {})).config.credentials_store).toBeUndefined()
  })

  it("the key from a file, 32 bytes of base64; the topic named like the others unless given", () => {
    const keyFile = join(dir, "key")
    const key = Buffer.alloc(32, 7).toString("base64")
    writeFileSync(keyFile, `${key}\n`)
    const { config } = loaded(
      parseConfig("c.yaml", doc(rotating("true"), `credentials_store:\n  key: \${file:${keyFile}}\n`), {}),
    )
    expect(config.credentials_store?.topic).toBe("user-directory.activities.credentials")
    expect(
      Buffer.from(Redacted.value(config.credentials_store?.key ?? Redacted.make(new Uint8Array()))),
    ).toEqual(Buffer.alloc(32, 7))
  })

  it("a key of the wrong size is refused without its value in the problem", () => {
    const short = Buffer.alloc(16, 9).toString("base64")
    const problems = problemsOf(
      parseConfig("c.yaml", doc(rotating("true"), `credentials_store:\n  key: "${short}"\n`), {}),
    )
    expect(problems).toEqual([expect.stringMatching(/^credentials_store\.key: must be 32 bytes, base64/)])
    expect(problems.join("\n")).not.toContain(short)
  })
})
