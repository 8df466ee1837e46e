import { ParseResult, Schema } from "effect"
import { CredentialsStoreKey } from "../auth/sealedRefreshToken.ts"
import { UtcInstant } from "../domain/Activity.ts"
import { HttpUrl } from "../domain/HttpUrl.ts"
import { defaultProviderHttpOptions } from "../http/ProviderHttpOptions.ts"

/** `30s`, `5m`, `1h`, `7d`, `250ms`, or a number of seconds. */
export const DurationText = Schema.Union(
  Schema.String.pipe(Schema.pattern(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/)),
  Schema.Number.pipe(Schema.nonNegative()),
).annotations({ description: "a duration: 250ms, 30s, 5m, 1h, 7d, or a number of seconds" })

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

export const durationMs = (value: typeof DurationText.Type): number => {
  if (typeof value === "number") return value * 1000
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value)
  const amount = Number(match?.[1] ?? 0)
  const unit = (match?.[2] ?? "s") as keyof typeof unitMs
  return amount * unitMs[unit]
}

/** How long the broker keeps published records: a duration of at least a millisecond, or `infinite`. */
export const RetentionText = Schema.Union(
  Schema.Literal("infinite"),
  DurationText.pipe(Schema.filter((value) => durationMs(value) >= 1)),
).annotations({
  description: "a duration (30d, 12h, …) or infinite",
  // One line instead of one per union member.
  message: () => ({
    message: "must be a duration of at least 1ms (30d, 12h, 90m…) or infinite",
    override: true,
  }),
})

/** The topic's `retention.ms`: -1 is Kafka's "never delete by time". */
export const retentionMs = (value: typeof RetentionText.Type): number =>
  value === "infinite" ? -1 : Math.round(durationMs(value))

const Uuid = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: () => "must be a uuid",
  }),
)

/** Where a new account starts reading: now, the earliest history the provider keeps, or an instant. */
export const StartFrom = Schema.Union(
  Schema.Literal("now", "earliest"),
  Schema.String.pipe(
    Schema.filter((s) => !Number.isNaN(Date.parse(s)), {
      message: () => "must be now, earliest or an ISO-8601 instant",
    }),
  ),
)

/** A setting's value: text, or a YAML `true`/`false` kept as the text `"true"`/`"false"`. */
const SettingValue = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Boolean, Schema.String, {
    strict: true,
    decode: (flag) => String(flag),
    encode: (text) => text === "true",
  }),
)

export const AccountConfig = Schema.Struct({
  id: Uuid,
  /** One of the provider registry's names; checked against the registry when the config is loaded. */
  integration: Schema.String,
  base_url: Schema.optional(HttpUrl),
  credentials: Schema.Record({ key: Schema.String, value: Schema.String }),
  organization_id: Schema.optional(Schema.String),
  /** Integration settings beyond the common keys, e.g. Zoom's `token_url`, HubSpot's `audit_logs: true`. */
  settings: Schema.optionalWith(Schema.Record({ key: Schema.String, value: SettingValue }), {
    default: () => ({}),
  }),
  start_from: Schema.optionalWith(StartFrom, { default: () => "now" as const }),
  poll_interval: Schema.optional(DurationText),
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
})
export type AccountConfig = typeof AccountConfig.Type

/** An optional section that, when absent, is the section with every key at its default. */
const withDefaults = <A, I>(section: Schema.Schema<A, I>) =>
  Schema.optionalWith(section, { default: () => Schema.decodeUnknownSync(section)({}) })

const Port = Schema.Int.pipe(Schema.between(0, 65535))

const ApiKeyText = Schema.String.pipe(
  Schema.minLength(16, { message: () => "must be at least 16 characters" }),
)

/**
 * A key that reads only the accounts it names and the accounts of the integrations it names (either list
 * may be left out; with neither, every account, as a plain key).
 */
export const ScopedApiKey = Schema.Struct({
  key: ApiKeyText,
  /** Account ids (`accounts[].id`), checked against the accounts when the config is loaded. */
  accounts: Schema.optional(Schema.Array(Uuid)),
  /** Integration names, checked against the registry when the config is loaded. */
  integrations: Schema.optional(Schema.Array(Schema.String)),
}).annotations({
  message: () => "must be a key (at least 16 characters) or { key, accounts?, integrations? }",
})
export type ScopedApiKey = typeof ScopedApiKey.Type

/** A `server.api_keys` entry as one shape: a plain key reads every account. */
export const apiKeyScope = (entry: string | ScopedApiKey): ScopedApiKey =>
  typeof entry === "string" ? { key: entry } : entry

/** A listener's certificate chain and private key, PEM files read at start: set, the listener serves HTTPS. */
export const ListenerTls = Schema.Struct({
  cert_file: Schema.NonEmptyString,
  key_file: Schema.NonEmptyString,
})
export type ListenerTls = typeof ListenerTls.Type

export const ServerConfig = Schema.Struct({
  host: Schema.optionalWith(Schema.String, { default: () => "0.0.0.0" }),
  port: Schema.optionalWith(Port, { default: () => 8080 }),
  tls: Schema.optional(ListenerTls),
  /** Bearer keys accepted by the HTTP API: each reads every account, or only those its scope names. */
  api_keys: Schema.Array(Schema.Union(ApiKeyText, ScopedApiKey)).pipe(
    Schema.minItems(1, { message: () => "needs at least one key" }),
  ),
  /** Signs `next_cursor`s; rotate it and every outstanding cursor becomes invalid. */
  cursor_secret: Schema.String.pipe(
    Schema.minLength(32, { message: () => "must be at least 32 characters" }),
  ),
  /** `/metrics`, `/healthz`, `/readyz`, `/docs`: they list account ids and errors, so loopback unless opened. */
  management: withDefaults(
    Schema.Struct({
      host: Schema.optionalWith(Schema.String, { default: () => "127.0.0.1" }),
      port: Schema.optionalWith(Port, { default: () => 8081 }),
      tls: Schema.optional(ListenerTls),
      /** An account retrying for longer than this without a good page counts as unable to progress. */
      unhealthy_after: Schema.optionalWith(DurationText, { default: () => "10m" }),
    }),
  ),
  timeouts: withDefaults(
    Schema.Struct({
      /** Until a request's headers are in (node's headersTimeout): slow-loris clients are cut. */
      headers: Schema.optionalWith(DurationText, { default: () => "10s" }),
      /** Until a whole request is in (node's requestTimeout). */
      request: Schema.optionalWith(DurationText, { default: () => "30s" }),
      /** An idle keep-alive connection is closed after this (node's keepAliveTimeout). */
      keep_alive: Schema.optionalWith(DurationText, { default: () => "5s" }),
      /**
       * At shutdown, how long requests in flight get to be answered after the listener stops accepting;
       * then their connections are cut.
       */
      shutdown: Schema.optionalWith(DurationText, { default: () => "10s" }),
    }),
  ),
  /** Requests served at once by the API listener; beyond it, 503 with Retry-After. */
  max_concurrent_requests: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 64 }),
  replay: withDefaults(
    Schema.Struct({
      /** Endpoint calls to one account's provider at once; beyond it, 429 rate_limited. */
      max_concurrent_per_account: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), {
        default: () => 2,
      }),
      /** Requests left in a provider's rate-limit window below which the endpoint leaves them to the stream. */
      rate_limit_reserve: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 10 }),
    }),
  ),
})

export const TopicsConfig = Schema.Struct({
  activities: Schema.optionalWith(Schema.String, { default: () => "user-directory.activities" }),
  login_failed: Schema.optionalWith(Schema.String, {
    default: () => "user-directory.activities.login_failed",
  }),
  dead_letter: Schema.optionalWith(Schema.String, { default: () => "user-directory.activities.dead-letter" }),
  checkpoints: Schema.optionalWith(Schema.String, { default: () => "user-directory.activities.checkpoints" }),
  /** Written (and created) only when `kafka.ocsf.enabled`. */
  ocsf: Schema.optionalWith(Schema.String, { default: () => "user-directory.activities.ocsf" }),
})

/** Every Activity also as an OCSF 1.8.0 event, on `topics.ocsf`, in the same transaction: opt-in. */
export const OcsfConfig = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => false }),
})

export const RemoteDataConfig = Schema.Struct({
  include: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  max_bytes: Schema.optional(Schema.Int.pipe(Schema.positive())),
})

const PasswordSasl = Schema.Struct({
  mechanism: Schema.Literal("plain", "scram-sha-256", "scram-sha-512"),
  username: Schema.String,
  password: Schema.String,
})

/** A client-credentials token from the endpoint, renewed before it expires. */
const OAuthBearerSasl = Schema.Struct({
  mechanism: Schema.Literal("oauthbearer"),
  token_endpoint: HttpUrl,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
  scope: Schema.optional(Schema.String),
})

/**
 * `kafka.sasl`, its keys decided by its mechanism: decoded against that mechanism's keys only, so a problem
 * is not listed again as every other mechanism's.
 */
const KafkaSasl = Schema.transformOrFail(
  Schema.Struct(
    {
      mechanism: Schema.Literal("plain", "scram-sha-256", "scram-sha-512", "oauthbearer").annotations({
        message: () => ({
          message: "must be plain, scram-sha-256, scram-sha-512 or oauthbearer",
          override: true,
        }),
      }),
    },
    Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  ),
  Schema.Union(PasswordSasl, OAuthBearerSasl),
  {
    strict: true,
    decode: (input, options) =>
      input.mechanism === "oauthbearer"
        ? ParseResult.decodeUnknown(OAuthBearerSasl)(input, options)
        : ParseResult.decodeUnknown(PasswordSasl)(input, options),
    encode: (sasl) => ParseResult.succeed(sasl),
  },
)

export const KafkaConfig = Schema.Struct({
  /** Absent: the connector starts its own local broker (development default). */
  brokers: Schema.optional(Schema.Array(Schema.String).pipe(Schema.minItems(1))),
  client_id: Schema.optionalWith(Schema.String, { default: () => "siem-activity-connector" }),
  tls: Schema.optional(
    Schema.Struct({
      enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
      ca_file: Schema.optional(Schema.String),
      cert_file: Schema.optional(Schema.String),
      key_file: Schema.optional(Schema.String),
      reject_unauthorized: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    }),
  ),
  sasl: Schema.optional(KafkaSasl),
  topics: withDefaults(TopicsConfig),
  ocsf: withDefaults(OcsfConfig),
  partitions: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 3 }),
  /**
   * Shards: the partitions of the checkpoint topic; each account belongs to one, by a hash of its id, and each
   * instance streams the accounts of the shards the group assigns it. Fixed per deployment; absent, the
   * checkpoint topic's partition count is `partitions` (what earlier versions created it with).
   */
  shards: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))),
  /** The shard group's session timeout: an instance silent this long loses its shards to the others. */
  group_session_timeout: Schema.optionalWith(DurationText, { default: () => "30s" }),
  /** -1 = the broker's default.replication.factor. */
  replication_factor: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(-1)), {
    default: () => -1,
  }),
  /**
   * `min.insync.replicas` of the topics the connector creates; absent = the broker's default. Every topic, made
   * or found, must have at least this many and no more than its replicas (checked at start).
   */
  min_insync_replicas: Schema.optional(Schema.Int.pipe(Schema.positive())),
  /** `compression.type` of the activity, login_failed and dead-letter topics the connector creates. */
  compression: Schema.optional(
    Schema.Literal("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd").annotations({
      message: () => ({
        message: "must be producer, uncompressed, gzip, snappy, lz4 or zstd",
        override: true,
      }),
    }),
  ),
  /** Stable across restarts so the broker fences a zombie instance of the same account stream. */
  transactional_id_prefix: Schema.optionalWith(Schema.String, { default: () => "siem-activity-connector" }),
  /**
   * Every consumer group the connector creates is `<prefix>.<purpose>.<uuid>` (the checkpoint reader's), so
   * one prefixed ACL covers them.
   */
  group_id_prefix: Schema.optionalWith(Schema.NonEmptyString, { default: () => "siem-activity-connector" }),
  /** `remote_data` in published messages: kept whole, capped in size (then replaced by a marker), or dropped. */
  remote_data: withDefaults(RemoteDataConfig),
  /**
   * `retention.ms` of the activity, login_failed and dead-letter topics the connector creates; absent = the
   * broker's default. Counted from when the connector published a record (the topics use LogAppendTime).
   */
  retention: Schema.optional(RetentionText),
  /** The broker's message.max.bytes; records above it have remote_data trimmed, or are dead-lettered. */
  max_message_bytes: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1_000_000 }),
  /** One request to the broker; a broker that does not answer within it fails the call (then retried). */
  request_timeout: Schema.optionalWith(DurationText, { default: () => "30s" }),
  /**
   * The producers' transaction timeout: the coordinator aborts a transaction open longer than this and bumps
   * the producer's epoch. A publish is abandoned at half of it, so the connector gives up first.
   */
  transaction_timeout: Schema.optionalWith(DurationText, { default: () => "60s" }),
}).pipe(
  Schema.filter((kafka) =>
    kafka.min_insync_replicas === undefined ||
    kafka.replication_factor === -1 ||
    kafka.min_insync_replicas <= kafka.replication_factor
      ? undefined
      : {
          path: ["min_insync_replicas"],
          message:
            "must be at most kafka.replication_factor (a topic with fewer replicas in sync than this refuses every write)",
        },
  ),
  Schema.filter((kafka) =>
    durationMs(kafka.request_timeout) <= durationMs(kafka.transaction_timeout) / 2
      ? undefined
      : {
          path: ["transaction_timeout"],
          message:
            "must be at least twice kafka.request_timeout (a publish is abandoned at half the transaction timeout)",
        },
  ),
)

export const PollConfig = Schema.Struct({
  interval: Schema.optionalWith(DurationText, { default: () => "30s" }),
  /** ± fraction of the interval added at random so accounts do not poll in lockstep. */
  jitter: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.2 }),
  /** Records per provider page. */
  page_size: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 100 }),
  /**
   * Page reads in flight at once over all the accounts of the process; more wait their turn. What fills the
   * memory when a thousand accounts catch up together is their pages in flight, not the accounts.
   */
  concurrent_reads: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 10_000)), { default: () => 32 }),
})

export const ProviderConfig = Schema.Struct({
  /**
   * One attempt of one provider request, connect to last body byte: a provider that sends its headers and
   * then nothing holds the account this long per attempt (a timeout is retried, `maxRetries` times).
   */
  request_timeout: Schema.optionalWith(
    DurationText.pipe(
      Schema.filter((value) => durationMs(value) >= 1, { message: () => "must be at least 1ms" }),
    ),
    { default: () => "30s" },
  ),
  /** Bytes read at most from one provider response: a provider (or an impostor) cannot fill the memory. */
  max_response_bytes: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), {
    default: () => defaultProviderHttpOptions.maxResponseBytes,
  }),
  /**
   * The part of a provider's daily API allocation the connector may spend: Salesforce's is the whole org's,
   * shared with its other integrations, so the connector must not take all of it.
   */
  daily_allocation_share: Schema.optionalWith(
    Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1)),
    { default: () => defaultProviderHttpOptions.dailyAllocationShare },
  ),
})

/**
 * Where refresh tokens that a provider rotates are kept (encrypted), so that a restart sends the latest one:
 * a compacted topic of the connector's own. Absent: a rotated token lives only in memory, and a restart sends
 * the configured one, which the provider has invalidated.
 */
export const CredentialsStoreConfig = Schema.Struct({
  /** AES-256-GCM key: 32 bytes, base64; `${file:/run/secrets/…}` keeps it out of the file. */
  key: CredentialsStoreKey,
  topic: Schema.optionalWith(Schema.NonEmptyString, {
    default: () => "user-directory.activities.credentials",
  }),
})

export const ConnectorConfig = Schema.Struct({
  server: ServerConfig,
  kafka: withDefaults(KafkaConfig),
  credentials_store: Schema.optional(CredentialsStoreConfig),
  poll: withDefaults(PollConfig),
  provider: withDefaults(ProviderConfig),
  log_level: Schema.optionalWith(Schema.Literal("trace", "debug", "info", "warn", "error"), {
    default: () => "info",
  }),
  accounts: Schema.Array(AccountConfig),
})
export type ConnectorConfig = typeof ConnectorConfig.Type

export { UtcInstant }
