import { Effect, Layer } from "effect"
import { KafkaAdmin } from "../KafkaAdmin.ts"
import { grantedOperations } from "./grantedOperations.ts"
import { KafkaClient } from "./KafkaClient.ts"
import { ensureTopics } from "./Topics.ts"

/** The cluster's administration on kafkajs: its admin client, and its protocol for the ACL questions. */
export const kafkaAdmin = Layer.effect(
  KafkaAdmin,
  Effect.map(KafkaClient, (client) =>
    KafkaAdmin.of({
      ensureTopics: (config, starts) =>
        ensureTopics(config, starts).pipe(Effect.provideService(KafkaClient, client)),
      grantedOperations: (config, credentialsStore) =>
        grantedOperations(config, credentialsStore).pipe(Effect.provideService(KafkaClient, client)),
    }),
  ),
)
