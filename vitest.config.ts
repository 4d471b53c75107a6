import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    globalSetup: [
      "tests/support/build-cli.ts",
      "tests/support/scratch-directory.ts",
      "tests/support/leftover-resources.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests wait for conditions, not for a time: one generous limit for every expect.poll, under
    // the test's own timeout so that a condition that never comes fails with what was awaited.
    // A loaded machine is slow; a test that passes only on a fast one is wrong.
    expect: { poll: { timeout: 20_000 } },
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" },
  },
});
