import { defineConfig } from "vitest/config"

/**
 * Pipeline tests whose length is the provider's pace (settle windows, poll floors, request budgets), waited in
 * real time with the CPU idle. They run one after another in their own pool, beside the other files, against
 * their own broker (each project runs the global setup), so a test that stops its broker cannot touch them.
 */
const providerPaced = [
  "test/pipeline/asanaPipeline.test.ts",
  "test/pipeline/atlassianSitePipeline.test.ts",
  "test/pipeline/browserstackPipeline.test.ts",
  "test/pipeline/dropboxPipeline.test.ts",
  "test/pipeline/figmaPipeline.test.ts",
  "test/pipeline/hubspotPipeline.test.ts",
  "test/pipeline/salesforcePipeline.test.ts",
  "test/pipeline/zendeskPipeline.test.ts",
  "test/pipeline/zoomPipeline.test.ts",
]

/**
 * The files that need a Kafka broker: the pipeline and the commands (selected by folder), and any other file
 * named `*.kafka.test.ts`. Everything else runs without one (`npm run test:unit`).
 */
const needsBroker = ["test/pipeline/**/*.test.ts", "test/commands/**/*.test.ts", "**/*.kafka.test.ts"]

const kafka = { globalSetup: ["test/support/kafka-global-setup.ts"] }

export default defineConfig({
  test: {
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share a broker and two cores: within a pool, files run one after another. Vitest
    // sizes its pools from this root setting, so the projects below get one worker each; being in different
    // pools (forks, threads) is what lets the broker projects run at the same time.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "src/**/*.test.ts"],
          exclude: needsBroker,
          pool: "forks",
        },
      },
      {
        extends: true,
        test: { ...kafka, name: "serial", include: needsBroker, exclude: providerPaced, pool: "forks" },
      },
      {
        extends: true,
        test: { ...kafka, name: "provider-paced", include: providerPaced, pool: "threads" },
      },
    ],
  },
})
