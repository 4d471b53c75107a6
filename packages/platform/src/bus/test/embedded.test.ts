import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { createEmbeddedTransport } from "../embedded/index.ts";
import { type CrashChildOptions, crashChildEnv } from "./fixtures/crash-child.ts";
import type { CrashChildMode } from "./transport-contract.ts";
import { describeTransportContract, expectNoLossAfterKill } from "./transport-contract.ts";

const root = mkdtempSync(join(tmpdir(), "mercato-embedded-bus-"));
let transports = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describeTransportContract("embedded", {
  create: () =>
    createEmbeddedTransport({ dataDir: join(root, `contract-${transports++}`), logger: silentLogger() }),
});

describe("embedded transport after a kill -9", () => {
  it("loses no acknowledged publish when the process is killed mid-stream", async () => {
    const dir = mkdtempSync(join(root, "crash-"));
    const files = { publishedFile: join(dir, "published.txt"), handledFile: join(dir, "handled.txt") };
    const childScript = fileURLToPath(new URL("./fixtures/embedded-crash-child.ts", import.meta.url));
    const startChild = (mode: CrashChildMode) => {
      const options: CrashChildOptions = { ...files, mode, events: 5_000, runId: "embedded" };
      return spawn(process.execPath, ["--import", "tsx", childScript], {
        env: {
          ...process.env,
          [crashChildEnv]: JSON.stringify(options),
          MERCATO_DATA_DIR: join(dir, "data"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
    };

    const outcome = await expectNoLossAfterKill({ ...files, startChild, events: 5_000 });

    expect(outcome.published).toBeGreaterThan(0);
  });
});
