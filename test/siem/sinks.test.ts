import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "yaml"
import { type LogstashPlugin, parseLogstashConfig } from "./logstashConfig.ts"
import { kafka } from "./recordedTopics.ts"

// siem/sinks: each recipe parses in its own format and carries the four settings every SIEM consumer of the
// connector needs: read_committed isolation, the dedupe key (ce_source + ce_id headers), the tenant (record
// key / integrated_account_id header) and created_at as the event time. Topic names are the connector's
// defaults, as its config loader gives them.

const dir = join(import.meta.dirname, "../../siem/sinks")
const read = (file: string) => readFileSync(join(dir, file), "utf8")
// biome-ignore lint/suspicious/noExplicitAny: parsed third-party config documents, navigated by key
type Doc = Record<string, any>
const json = (file: string) => JSON.parse(read(file)) as { name: string; config: Record<string, string> }
const yaml = (file: string) => parse(read(file)) as Doc

describe("siem/sinks", () => {
  it("holds the six recipes and a README, nothing unparsed", () => {
    expect(readdirSync(dir).sort()).toEqual([
      "README.md",
      "filebeat.yml",
      "google-secops-vector.yaml",
      "kafka-connect-s3.json",
      "logstash-sentinel.conf",
      "splunk-connect-for-kafka.json",
      "vector.yaml",
    ])
  })

  it("Splunk Connect for Kafka: read_committed, headers as indexed fields, created_at as _time", () => {
    const { config } = json("splunk-connect-for-kafka.json")
    expect(config["connector.class"]).toBe("com.splunk.kafka.connect.SplunkSinkConnector")
    expect(config.topics).toBe(kafka.topics.activities)
    expect(config["consumer.override.isolation.level"]).toBe("read_committed")
    expect(config["splunk.header.support"]).toBe("true")
    expect(config["splunk.header.custom"]?.split(",")).toEqual(
      expect.arrayContaining(["ce_source", "ce_id", "integrated_account_id"]),
    )
    expect(config["enable.timestamp.extraction"]).toBe("true")
    // The regex finds created_at in a real record value, and the format reads it.
    // Java and JavaScript share the named-group syntax.
    const regex = new RegExp(config["timestamp.regex"] ?? "")
    const value = JSON.stringify({ id: "a", action: "login", created_at: "2026-11-25T19:57:06.000Z" })
    expect(regex.exec(value)?.groups?.time).toBe("2026-11-25T19:57:06.000Z")
    expect(config["timestamp.format"]).toBe("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
  })

  it("Filebeat: read_committed, headers lifted, fingerprint of ce_source + ce_id as _id, created_at", () => {
    const doc = yaml("filebeat.yml")
    const input = doc["filebeat.inputs"][0]
    expect(input.type).toBe("kafka")
    expect(input.topics).toEqual([kafka.topics.activities])
    expect(input.isolation_level).toBe("read_committed")
    const processors: Doc[] = input.processors
    const find = (name: string) => processors.find((p) => name in p)?.[name]
    expect(find("fingerprint")).toMatchObject({
      fields: ["cloudevents.ce_source", "cloudevents.ce_id"],
      target_field: "@metadata._id",
    })
    expect(find("script").source).toContain('event.Put("cloudevents."')
    expect(find("copy_fields").fields).toContainEqual({ from: "kafka.key", to: "integrated_account_id" })
    expect(find("timestamp")).toMatchObject({ field: "activity.created_at" })
    expect(find("decode_json_fields")).toMatchObject({ fields: ["message"], target: "activity" })
  })

  it("Logstash + Sentinel: read_committed, extended decoration, DedupeKey, tenant, created_at", () => {
    const pipeline = parseLogstashConfig(read("logstash-sentinel.conf"))
    const only = (plugins: ReadonlyArray<LogstashPlugin>, name: string) => {
      const found = plugins.filter((p) => p.name === name)
      expect(found).toHaveLength(1)
      return (found[0] as LogstashPlugin).settings
    }
    const input = only(pipeline.input, "kafka")
    expect(input.topics).toEqual([kafka.topics.activities])
    expect(input.isolation_level).toBe("read_committed")
    expect(input.decorate_events).toBe("extended")
    expect(only(pipeline.filter, "date")).toMatchObject({
      match: ["created_at", "ISO8601"],
      target: "@timestamp",
    })
    const fields = only(pipeline.filter, "mutate").add_field as Record<string, string>
    expect(fields.DedupeKey).toBe(
      "%{[@metadata][kafka][headers][ce_source]}|%{[@metadata][kafka][headers][ce_id]}",
    )
    expect(fields.IntegratedAccountId).toBe("%{[@metadata][kafka][key]}")
    expect(fields.TimeGenerated).toBe("%{created_at}")
    const output = only(pipeline.output, "microsoft-sentinel-log-analytics-logstash-output-plugin")
    for (const key of [
      "client_app_Id",
      "client_app_secret",
      "tenant_id",
      "data_collection_endpoint",
      "dcr_immutable_id",
      "dcr_stream_name",
    ]) {
      expect(output[key], key).toBeTypeOf("string")
    }
  })

  it("the Logstash reader refuses what it does not understand", () => {
    expect(() => parseLogstashConfig('input { kafka { topics => ["a"] }')).toThrow(/ends early/)
    expect(() => parseLogstashConfig("filter { if [a] { } }")).toThrow(/conditionals|expected/)
    expect(() => parseLogstashConfig("inputs { }")).toThrow(/unknown section/)
  })

  for (const file of ["vector.yaml", "google-secops-vector.yaml"]) {
    it(`${file}: read_committed through librdkafka, key and headers kept, created_at, dedupe on ce_source + ce_id`, () => {
      const doc = yaml(file)
      const source = doc.sources.user_directory
      expect(source.type).toBe("kafka")
      expect(source.topics).toEqual([kafka.topics.activities])
      expect(source.librdkafka_options["isolation.level"]).toBe("read_committed")
      expect(source.key_field).toBe("message_key")
      expect(source.headers_key).toBe("headers")
      const remap: string = doc.transforms.activity.source
      expect(remap).toContain(".timestamp = parse_timestamp!(.created_at")
      expect(remap).toContain(".integrated_account_id = .message_key")
      expect(remap).toContain(".headers.ce_source")
      expect(remap).toContain(".headers.ce_id")
      expect(doc.transforms.deduplicated.type).toBe("dedupe")
      expect(doc.transforms.deduplicated.inputs).toEqual(["activity"])
      const sinks = Object.values(doc.sinks) as Doc[]
      expect(sinks.every((s) => s.inputs?.[0] === "deduplicated")).toBe(true)
    })
  }

  it("Google SecOps: the Chronicle sink names a customer, a log type and credentials", () => {
    const sink = yaml("google-secops-vector.yaml").sinks.google_secops
    expect(sink).toMatchObject({ type: "gcp_chronicle_unstructured", log_type: "USER_DIRECTORY_ACTIVITY" })
    expect(sink.customer_id).toBeTypeOf("string")
    expect(sink.credentials_path).toBeTypeOf("string")
  })

  it("Kafka Connect S3: read_committed, partitioned by created_at, keys and headers stored beside the values", () => {
    const { config } = json("kafka-connect-s3.json")
    expect(config["connector.class"]).toBe("io.confluent.connect.s3.S3SinkConnector")
    expect(config.topics).toBe(kafka.topics.activities)
    expect(config["consumer.override.isolation.level"]).toBe("read_committed")
    expect(config["timestamp.extractor"]).toBe("RecordField")
    expect(config["timestamp.field"]).toBe("created_at")
    expect(config["store.kafka.keys"]).toBe("true")
    expect(config["store.kafka.headers"]).toBe("true")
    // Schemaless JSON values (what the connector publishes) can be written as JSON; Parquet needs a schema.
    expect(config["value.converter.schemas.enable"]).toBe("false")
    expect(config["format.class"]).toBe("io.confluent.connect.s3.format.json.JsonFormat")
  })
})
