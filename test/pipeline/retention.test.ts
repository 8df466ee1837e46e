import { Effect, Either, Fiber } from "effect"
import { type ConfigEntries, ConfigResourceTypes, ConfigSource } from "kafkajs"
import { describe, expect, inject, it } from "vitest"
import { type LoadedConfig, parseConfig } from "../../src/config/loadConfig.ts"
import { runBackfill } from "../../src/pipeline/Backfill.ts"
import { KafkaClient } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { makeAccountPublisher } from "../../src/pipeline/kafkajs/transactionalPublisher.ts"
import { runPipeline } from "../../src/pipeline/Pipeline.ts"
import { publishStart } from "../../src/pipeline/retentionProblems.ts"
import { routePage } from "../../src/pipeline/routePage.ts"
import { eventGenerator } from "../../src/simulators/okta/eventGenerator.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { isFailedSignIn, type OktaEventLike } from "../support/oktaFailedSignIns.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { activityIds, readTopic, uniqueTopics, withAdmin as withAdminOf } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** The harness's own broker checks retention every second; another broker may take its default 5 minutes. */
const retentionCheckMs = Number(inject("kafkaLocalEnv").KAFKA_RETENTION_CHECK_MS ?? Number.NaN)
const DAY_MS = 86_400_000

const withAdmin = <A>(use: Parameters<typeof withAdminOf<A>>[1]) => withAdminOf(brokers, use)

/** Every setting of a topic as the broker reports it, defaults included. */
const describeTopic = (topic: string) =>
  withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    })
    return resources[0]?.configEntries ?? []
  })
const settingOf = (entries: ReadonlyArray<ConfigEntries>, name: string) =>
  entries.find((e) => e.configName === name)?.configValue

/**
 * Adds settings to a topic. kafkajs only has the non-incremental AlterConfigs, which resets whatever it is not
 * given: the topic's own settings are read back and sent again, so the test never restates what it checks.
 */
const addTopicConfig = (topic: string, added: Record<string, string>) =>
  Effect.gen(function* () {
    const own = (yield* describeTopic(topic)).filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
    const configEntries = [
      ...own
        .filter((e) => !(e.configName in added))
        .map((e) => ({ name: e.configName, value: e.configValue })),
      ...Object.entries(added).map(([name, value]) => ({ name, value })),
    ]
    yield* withAdmin((admin) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }],
      }),
    )
  })

const lowOffset = (topic: string) =>
  withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).map((p) => p.low))

const loadedConfig = (yaml: string): Effect.Effect<LoadedConfig> =>
  Either.match(parseConfig("test", yaml), {
    onLeft: (invalid) => Effect.die(invalid),
    onRight: Effect.succeed,
  })

describe("retention: what the connector publishes stays for retention.ms after it was published", () => {
  it.runIf(retentionCheckMs <= 1_000)(
    "60-day-old activity survives 1h retention on the topics ensureTopics creates, and is deleted from CreateTime topics (control)",
    async () => {
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const simulator = yield* startOktaSimulator({ historySize: 0 })
            const topics = uniqueTopics()
            const loaded = yield* loadedConfig(
              pipelineConfigYaml({ brokers, topics, simulators: [simulator], kafka: { retention: "1h" } }),
            )
            const kafkaSettings = loaded.config.kafka
            const account = loaded.accounts[0]?.account
            if (!account) throw new Error("no account")
            const kafkaLayer = KafkaClient.layer(kafkaSettings, [brokers])

            yield* ensureTopics(kafkaSettings, [
              publishStart(account, "earliest", "start_from: earliest"),
            ]).pipe(Effect.provide(kafkaLayer))
            for (const topic of [topics.activities, topics.login_failed, topics.dead_letter]) {
              const settings = yield* describeTopic(topic)
              expect(settingOf(settings, "message.timestamp.type"), topic).toBe("LogAppendTime")
              expect(settingOf(settings, "retention.ms"), topic).toBe("3600000")
            }
            // The checkpoint topic keeps compaction only: no time retention, kafka.retention not applied.
            const checkpointSettings = yield* describeTopic(topics.checkpoints)
            expect(settingOf(checkpointSettings, "cleanup.policy")).toBe("compact")
            expect(settingOf(checkpointSettings, "retention.ms")).not.toBe("3600000")
            // Segments small enough for the cleaner to keep what every start reads short.
            expect(settingOf(checkpointSettings, "segment.bytes")).toBe("16777216")
            expect(settingOf(checkpointSettings, "segment.ms")).toBe("3600000")

            // The control: the same records through the same publisher onto topics an operator created with
            // CreateTime and the same retention.
            const control = uniqueTopics()
            const controlSettings = { ...kafkaSettings, topics: control }
            const tinySegments = { "segment.ms": "100" }
            yield* withAdmin((admin) =>
              admin.createTopics({
                waitForLeaders: true,
                topics: [control.activities, control.login_failed].map((topic) => ({
                  topic,
                  numPartitions: 1,
                  configEntries: [
                    { name: "message.timestamp.type", value: "CreateTime" },
                    { name: "retention.ms", value: "3600000" },
                    ...Object.entries(tinySegments).map(([name, value]) => ({ name, value })),
                  ],
                })),
              }),
            )
            // Segments roll after 100 ms, so the old page does not share a segment with the later records.
            for (const topic of [topics.activities, topics.login_failed])
              yield* addTopicConfig(topic, tinySegments)

            // A page of Okta activity created 60 days ago, e.g. the oldest page of a backfill.
            const generator = eventGenerator(21)
            const old = generator
              .history(60, Date.now() - 60 * DAY_MS, 3_600_000)
              .map(({ event }) => event as unknown as OktaEventLike)
            const oldPage = routePage(account, old, kafkaSettings)
            expect(oldPage.deadLettered).toBe(0)
            const oldFailed = old.filter(isFailedSignIn).map((e) => e.uuid)
            expect(oldFailed.length).toBeGreaterThan(0)

            const publisher = yield* makeAccountPublisher(account, kafkaSettings).pipe(
              Effect.provide(kafkaLayer),
            )
            const controlPublisher = yield* makeAccountPublisher(
              account,
              controlSettings,
              `${kafkaSettings.transactional_id_prefix}.control`,
            ).pipe(Effect.provide(kafkaLayer))
            const publishedAt = Date.now()
            yield* publisher.publish(oldPage.messages, undefined)
            yield* controlPublisher.publish(routePage(account, old, controlSettings).messages, undefined)

            // Later activity, after the segment time has passed: the old page's segments roll.
            yield* Effect.sleep("300 millis")
            const later = generator.burst(12, Date.now()).map((e) => e as unknown as OktaEventLike)
            const laterFailed = later.filter(isFailedSignIn).map((e) => e.uuid)
            expect(laterFailed.length).toBeGreaterThan(0)
            yield* publisher.publish(routePage(account, later, kafkaSettings).messages, undefined)
            yield* controlPublisher.publish(routePage(account, later, controlSettings).messages, undefined)

            // The broker's retention checks delete the control's old segments: proof they ran on these topics.
            const deadline = Date.now() + 60_000
            while (
              (yield* lowOffset(control.activities))[0] === "0" ||
              (yield* lowOffset(control.login_failed))[0] === "0"
            ) {
              if (Date.now() > deadline) throw new Error("retention never deleted the control's old segments")
              yield* Effect.sleep("250 millis")
            }
            // Several more checks on the connector's topics.
            yield* Effect.sleep(5 * retentionCheckMs)

            const allIds = [...old, ...later].map((e) => e.uuid)
            const allFailed = [...oldFailed, ...laterFailed]
            expect(yield* lowOffset(topics.activities)).toEqual(["0"])
            expect(yield* lowOffset(topics.login_failed)).toEqual(["0"])
            const kept = yield* Effect.promise(() =>
              readTopic(brokers, topics.activities, (m) => m.length >= allIds.length),
            )
            expect(activityIds(kept)).toEqual(allIds)
            const keptFailed = yield* Effect.promise(() =>
              readTopic(brokers, topics.login_failed, (m) => m.length >= allFailed.length),
            )
            expect(activityIds(keptFailed)).toEqual(allFailed)
            // The broker's append time as the timestamp; the activity's time stays in the value and ce_time.
            const first = kept[0]
            const firstActivity = JSON.parse(first?.value ?? "{}") as { created_at: string }
            expect(Date.parse(firstActivity.created_at)).toBeLessThan(Date.now() - 59 * DAY_MS)
            expect(first?.headers.ce_time).toBe(firstActivity.created_at)
            expect(Number(first?.timestamp)).toBeGreaterThanOrEqual(publishedAt - 1_000)
            expect(Number(first?.timestamp)).toBeLessThanOrEqual(Date.now())

            // The control lost the old page on both topics; the later records are still there.
            const controlKept = yield* Effect.promise(() =>
              readTopic(brokers, control.activities, (m) => m.length >= later.length),
            )
            expect(activityIds(controlKept)).toEqual(later.map((e) => e.uuid))
            const controlFailed = yield* Effect.promise(() =>
              readTopic(brokers, control.login_failed, (m) => m.length >= laterFailed.length),
            )
            expect(activityIds(controlFailed)).toEqual(laterFailed)
          }),
        ),
      )
    },
    120_000,
  )

  it("an existing CreateTime topic with finite retention refuses a start_from earliest account, and a backfill --since older than it; LogAppendTime fixes it", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 30, seed: 5, rateLimit: 100_000 })
          const { topics, context, accountIds } = yield* connectorUnderTest({ simulators: [simulator] })
          const accountId = accountIds[0] ?? ""
          // As an operator might have: activities with every broker default (CreateTime, 7 days), login_failed
          // with its own 30 days, checkpoints compacted and deleted after 7 days.
          yield* withAdmin((admin) =>
            admin.createTopics({
              waitForLeaders: true,
              topics: [
                { topic: topics.activities, numPartitions: 1 },
                {
                  topic: topics.login_failed,
                  numPartitions: 1,
                  configEntries: [{ name: "retention.ms", value: String(30 * DAY_MS) }],
                },
                {
                  topic: topics.checkpoints,
                  numPartitions: 1,
                  configEntries: [
                    { name: "cleanup.policy", value: "compact,delete" },
                    { name: "retention.ms", value: String(7 * DAY_MS) },
                  ],
                },
              ],
            }),
          )

          const refused = yield* runPipeline().pipe(
            Effect.provide(context),
            Effect.timeout("30 seconds"),
            Effect.flip,
          )
          expect(refused._tag).toBe("TopicsUnsafe")
          const problems = refused._tag === "TopicsUnsafe" ? refused.problems : []
          expect(problems).toHaveLength(3)
          // The broker's default retention, read as the topic's effective setting.
          expect(problems[0]).toContain(
            `topic ${topics.activities} has message.timestamp.type=CreateTime and retention.ms=604800000 (7d)`,
          )
          expect(problems[0]).toContain(`${accountId} (okta, start_from: earliest: activity up to 90d old)`)
          expect(problems[0]).toContain("set message.timestamp.type=LogAppendTime on the topic")
          expect(problems[1]).toContain(
            `topic ${topics.login_failed} has message.timestamp.type=CreateTime and retention.ms=2592000000 (30d)`,
          )
          expect(problems[2]).toContain(
            `topic ${topics.checkpoints} (checkpoints) has cleanup.policy=compact,delete`,
          )
          expect(refused.message).toContain("refusing to start")

          // A backfill from 60 days ago is refused too.
          const since = new Date(Date.now() - 60 * DAY_MS).toISOString()
          const backfill = yield* runBackfill(accountId, { since }).pipe(Effect.provide(context), Effect.flip)
          expect(backfill._tag).toBe("TopicsUnsafe")
          expect(backfill.message).toContain(`${accountId} (okta, backfill --since ${since}: activity up to`)
          // Nothing was published.
          const high = yield* withAdmin(
            async (admin) => (await admin.fetchTopicOffsets(topics.activities))[0]?.high,
          )
          expect(high).toBe("0")

          // The fix the message gives: LogAppendTime (and compaction only for the checkpoints).
          yield* addTopicConfig(topics.activities, { "message.timestamp.type": "LogAppendTime" })
          yield* addTopicConfig(topics.login_failed, { "message.timestamp.type": "LogAppendTime" })
          yield* addTopicConfig(topics.checkpoints, { "cleanup.policy": "compact" })
          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 30),
          )
          expect(activityIds(published)).toEqual((simulator.events() as OktaEventLike[]).map((e) => e.uuid))
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)
})
