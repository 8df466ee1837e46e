import { it } from "@effect/vitest"
import { stopKafkajsIdleLoop } from "../../src/pipeline/kafkajs/kafkajsIdleLoop.ts"
import { effectTesters } from "./effectTesters.ts"

// Tests also drive kafkajs clients of their own, outside KafkaClient.layer.
stopKafkajsIdleLoop()

// What an earlier file's `layer(…)` left on the shared `it`, undone before this file's tests are collected.
Object.assign(it, effectTesters)
