import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { KafkaConfig } from "../../src/config/ConnectorConfig.ts"
import {
  type GrantedOperations,
  grantCommand,
  missingAcls,
  requiredAcls,
} from "../../src/pipeline/requiredAcls.ts"

const kafka = Schema.decodeUnknownSync(KafkaConfig)({ group_id_prefix: "siem" })
const store = { topic: "user-directory.activities.credentials" }

const rowsOn = (acls: ReturnType<typeof requiredAcls>, name: string) =>
  acls.filter((acl) => acl.name === name).map((acl) => acl.operation)

describe("the ACLs of the credentials store", () => {
  it("are required only when credentials_store is configured: the topic, and the reader groups' prefix", () => {
    const without = requiredAcls(kafka)
    const withStore = requiredAcls(kafka, new Set(), store)
    expect(rowsOn(without, store.topic)).toEqual([])
    expect(rowsOn(without, "siem.credentials-reader.")).toEqual([])
    expect(rowsOn(withStore, store.topic)).toEqual(["Read", "Write", "DescribeConfigs"])
    expect(rowsOn(withStore, "siem.credentials-reader.")).toEqual(["Read", "Delete"])
    expect(rowsOn(requiredAcls(kafka, new Set([store.topic]), store), store.topic)).toContain("Create")
    const topicRow = withStore.find((acl) => acl.name === store.topic)
    expect(topicRow?.configKey).toBe("credentials_store.topic")
    if (topicRow !== undefined) expect(grantCommand(topicRow)).toContain(`--topic ${store.topic}`)
  })

  it("a principal granted everything else still lacks them, each named", () => {
    const required = requiredAcls(kafka, new Set(), store)
    const others = required.filter(
      (acl) => acl.name !== store.topic && acl.name !== "siem.credentials-reader.",
    )
    const granted: GrantedOperations = {
      topics: new Map(
        others
          .filter((a) => a.resourceType === "topic")
          .map((a) => [a.probe, new Set(["Read", "Write", "DescribeConfigs"] as const)]),
      ),
      missingTopics: new Set(),
      creatable: new Set(),
      groups: new Map(
        others
          .filter((a) => a.resourceType === "group")
          .map((a) => [a.probe, new Set(["Read", "Delete"] as const)]),
      ),
      transactionalIds: new Map(
        others
          .filter((a) => a.resourceType === "transactional-id")
          .map((a) => [a.probe, new Set(["Write"] as const)]),
      ),
    }
    expect(missingAcls(others, granted)).toEqual([])
    expect(missingAcls(required, granted).map((acl) => `${acl.operation} ${acl.name}`)).toEqual([
      `Read ${store.topic}`,
      `Write ${store.topic}`,
      `DescribeConfigs ${store.topic}`,
      "Read siem.credentials-reader.",
      "Delete siem.credentials-reader.",
    ])
  })
})
