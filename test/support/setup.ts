import { stopKafkajsIdleLoop } from "../../src/pipeline/kafkajs/kafkajsIdleLoop.ts"

// Tests also drive kafkajs clients of their own, outside KafkaClient.layer.
stopKafkajsIdleLoop()
