import { groupPartitionsLinearly } from "../pipeline/kafkajs/kafkajsPartitionGrouping.ts"

// Imported for this effect, before anything imports kafkajs: kafkajs's producer takes its partition grouping
// when it loads (see groupPartitionsLinearly). First among the imports of src/main.ts and bench/e2e.ts.
groupPartitionsLinearly()
