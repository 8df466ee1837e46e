import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { Data, Effect, Either, ParseResult, Schema } from "effect"
import { parseDocument } from "yaml"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { IntegrationRegistry } from "../providers/IntegrationRegistry.ts"
import { registry as productionRegistry } from "../providers/registry.ts"
import type { LoadedConfig } from "./Config.ts"
import { type AccountConfig, apiKeyScope, ConnectorConfig } from "./ConnectorConfig.ts"

// Tests and scripts that load a file also name the tag; production modules import it from the leaf.
export { Config, type LoadedConfig } from "./Config.ts"

export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly file: string
  /** One line per bad key: `accounts[2].credentials.api_token: missing`. */
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `invalid configuration ${this.file}:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
  }
}

export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    "",
  )

/**
 * One line per problem, naming the key and what was expected but never echoing the value found: after
 * `${ENV}` expansion any value may be a secret (and an optional section's "or undefined" alternative would
 * print the whole section, passwords included).
 */
const issueLines = (error: ParseResult.ParseError, prefix: ReadonlyArray<PropertyKey> = []): string[] => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const key = (path: ReadonlyArray<PropertyKey>) => path.map(String).join("\u0000")
  // A union's other alternative ("Expected string" beside `{ key }`'s own problem) is noise: a type mismatch
  // is dropped where a more precise problem is reported at that key or below it.
  const precise = new Set(
    issues.flatMap((issue) => {
      const upTo = issue._tag === "Type" ? issue.path.length - 1 : issue.path.length
      return Array.from({ length: upTo + 1 }, (_, n) => key(issue.path.slice(0, n)))
    }),
  )
  return issues.flatMap((issue) => {
    const path = formatPath([...prefix, ...issue.path]) || "(root)"
    if (issue._tag === "Missing") return [`${path}: missing`]
    if (issue._tag === "Unexpected") return [`${path}: unknown key`]
    // Noise beside the real problem inside a present optional section.
    if (issue.message.startsWith("Expected undefined, actual")) return []
    if (issue._tag === "Type" && issue.path.length > 0 && precise.has(key(issue.path))) return []
    return [`${path}: ${issue.message.replace(/,\s*actual[\s\S]*$/, "")}`]
  })
}

/** Why a secret file could not be read, without its content (which a message never holds). */
const unreadable = (cause: unknown): string => {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  if (code === "ENOENT") return "no such file"
  if (code === "EACCES" || code === "EPERM") return "permission denied"
  if (code === "EISDIR") return "is a directory"
  return code ?? "unreadable"
}

/**
 * `${NAME}` in any string value is replaced by the environment variable, `${file:PATH}` by the file's
 * content without its trailing newline (Docker and Kubernetes secrets are files; a relative path is the
 * config file's directory's). An unset variable or an unreadable file is a config error naming the key and
 * the variable or file. One pass: a secret's own `${…}` is kept as it is.
 */
const expandEnv = (
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[],
  problems: string[],
  baseDir = ".",
): unknown => {
  if (typeof value === "string") {
    return value.replace(
      /\$\{(?:file:([^}]+)|([A-Za-z_][A-Za-z0-9_]*))\}/g,
      (_, secretFile: string | undefined, name: string | undefined) => {
        if (secretFile !== undefined) {
          const resolved = resolve(baseDir, secretFile.trim())
          try {
            return readFileSync(resolved, "utf8").replace(/[\r\n]+$/, "")
          } catch (cause) {
            problems.push(`${formatPath(path)}: cannot read file ${resolved} (${unreadable(cause)})`)
            return ""
          }
        }
        const found = env[name ?? ""]
        if (found === undefined) {
          problems.push(`${formatPath(path)}: environment variable ${name} is not set`)
          return ""
        }
        return found
      },
    )
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, i], problems, baseDir))
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k], problems, baseDir)]),
    )
  }
  return value
}

/**
 * `MANAGEMENT_HOST`, when set, replaces `server.management.host`: a container must bind the management
 * listener on every interface to be scraped, whatever the mounted file (copied from the example, loopback)
 * says, as `KAFKA_BROKERS` replaces `kafka.brokers`.
 */
const withEnvOverrides = (document: unknown, env: NodeJS.ProcessEnv): unknown => {
  const host = env.MANAGEMENT_HOST
  if (!host || !isRecord(document) || !isRecord(document.server)) return document
  const management = isRecord(document.server.management) ? document.server.management : {}
  return { ...document, server: { ...document.server, management: { ...management, host } } }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const resolveAccount = (
  account: AccountConfig,
  index: number,
  problems: string[],
  registry: IntegrationRegistry,
): IntegratedAccount | undefined => {
  const at = (key: string) => `accounts[${index}].${key}`
  const adapter = registry.lookup(account.integration)
  if (adapter === undefined) {
    problems.push(`${at("integration")}: must be one of ${registry.names.join(", ")}`)
    return undefined
  }
  const credentials = Schema.decodeUnknownEither(adapter.credentials, { errors: "all" })(account.credentials)
  if (Either.isLeft(credentials))
    problems.push(...issueLines(credentials.left, ["accounts", index, "credentials"]))
  // A provider that declares its settings declares all of them: an unknown key is most likely a typo.
  const settings =
    adapter.settings === undefined
      ? Either.right(account.settings)
      : Schema.decodeUnknownEither(adapter.settings, { errors: "all", onExcessProperty: "error" })(
          account.settings,
        )
  if (Either.isLeft(settings)) problems.push(...issueLines(settings.left, ["accounts", index, "settings"]))
  const baseUrl = account.base_url ?? adapter.defaultBaseUrl
  if (baseUrl === undefined) {
    problems.push(
      `${at("base_url")}: missing (${account.integration} has no public API host: give the account's own)`,
    )
  }
  if (
    (adapter.capabilities.requiredFilters.includes("organization_id") || adapter.requiresOrganizationId) &&
    account.organization_id === undefined
  ) {
    problems.push(`${at("organization_id")}: missing (required for ${account.integration})`)
  }
  if (Either.isLeft(credentials) || Either.isLeft(settings) || baseUrl === undefined) return undefined
  return {
    id: account.id.toLowerCase(),
    integration: account.integration,
    baseUrl: new URL(baseUrl),
    credentials: credentials.right,
    settings: {
      ...account.settings,
      ...(account.organization_id === undefined ? {} : { organization_id: account.organization_id }),
    },
  }
}

/** A scoped key names configured accounts and known integrations: a typo would silently shut a client out. */
const apiKeyScopeProblems = (config: ConnectorConfig, registry: IntegrationRegistry): string[] => {
  const ids = new Set(config.accounts.map((account) => account.id.toLowerCase()))
  return config.server.api_keys.flatMap((entry, index) => {
    const { accounts = [], integrations = [] } = apiKeyScope(entry)
    return [
      ...accounts.flatMap((id, n) =>
        ids.has(id.toLowerCase()) ? [] : [`server.api_keys[${index}].accounts[${n}]: no account has this id`],
      ),
      ...integrations.flatMap((name, n) =>
        registry.lookup(name) === undefined
          ? [`server.api_keys[${index}].integrations[${n}]: must be one of ${registry.names.join(", ")}`]
          : [],
      ),
    ]
  })
}

/**
 * An account whose provider rotates its refresh token (`settings.refresh_token_rotation: true`) needs the
 * credentials store: without it the first restart sends a token the provider has invalidated.
 */
const credentialsStoreProblems = (
  config: ConnectorConfig,
  accounts: ReadonlyArray<{ readonly account: IntegratedAccount; readonly config: AccountConfig }>,
): string[] => {
  if (config.credentials_store !== undefined) return []
  return accounts.flatMap(({ account, config: entry }) =>
    account.credentials._tag === "OAuthRefresh" && account.settings.refresh_token_rotation === "true"
      ? [
          `credentials_store.key: missing (accounts[${config.accounts.indexOf(entry)}] rotates its refresh token: settings.refresh_token_rotation is true, and a rotated token must be stored to survive a restart)`,
        ]
      : [],
  )
}

/** Parses, expands and validates a config document; every problem is reported with the path of its key. */
export const parseConfig = (
  file: string,
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  registry: IntegrationRegistry = productionRegistry,
): Either.Either<LoadedConfig, ConfigInvalid> => {
  const document = parseDocument(text)
  if (document.errors.length > 0) {
    return Either.left(
      new ConfigInvalid({ file, problems: document.errors.map((e) => `YAML: ${e.message.split(":\n")[0]}`) }),
    )
  }
  const problems: string[] = []
  const expanded = withEnvOverrides(
    expandEnv(document.toJS() ?? {}, env, [], problems, dirname(resolve(file))),
    env,
  )
  const decoded = Schema.decodeUnknownEither(ConnectorConfig, { errors: "all", onExcessProperty: "error" })(
    expanded,
  )
  if (Either.isLeft(decoded)) {
    return Either.left(new ConfigInvalid({ file, problems: [...problems, ...issueLines(decoded.left)] }))
  }
  const config = decoded.right
  const seen = new Map<string, number>()
  const accounts = config.accounts.flatMap((accountConfig, index) => {
    const previous = seen.get(accountConfig.id.toLowerCase())
    if (previous !== undefined) problems.push(`accounts[${index}].id: duplicate of accounts[${previous}].id`)
    seen.set(accountConfig.id.toLowerCase(), index)
    const account = resolveAccount(accountConfig, index, problems, registry)
    return account ? [{ account, config: accountConfig }] : []
  })
  problems.push(...apiKeyScopeProblems(config, registry))
  problems.push(...credentialsStoreProblems(config, accounts))
  if (problems.length > 0) return Either.left(new ConfigInvalid({ file, problems }))
  return Either.right({ file, config, accounts })
}

export const loadConfigFile = (
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  registry: IntegrationRegistry = productionRegistry,
) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) =>
      new ConfigInvalid({ file, problems: [`cannot read the file: ${(cause as Error).message}`] }),
  }).pipe(Effect.flatMap((text) => parseConfig(file, text, env, registry)))
