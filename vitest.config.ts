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
    // Hang guards, not performance limits: generous enough for a loaded 2-core CI machine (a
    // shop of five services on PostgreSQL and NATS took over a minute to start on one).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Tests wait for conditions, not for a time: one generous limit for every expect.poll (and
    // waitFor's conditionTimeoutMs, the same), under the test's own timeout so that a condition
    // that never comes fails with what was awaited. A test that passes only on a fast machine is
    // wrong; benchmarks measure time.
    expect: { poll: { timeout: 60_000 } },
    pool: "forks",
    // Three files at a time on the two-core CI machine (Vitest's default would be one): most of a
    // test's time is spent waiting on PostgreSQL, NATS, child processes and polls, so three overlap
    // well (the whole suite 336 s one at a time, 218 s three at a time, same machine). Every test
    // owns its data directory, database prefix, stream prefix and port, so files never share state.
    maxWorkers: 3,
    minWorkers: 1,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" },
  },
});
