import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { waitFor } from "../test/wait.ts";
import { createEmbeddedTransport } from "./index.ts";

const childScript = fileURLToPath(new URL("../test/fixtures/embedded-poison-child.ts", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "mercato-embedded-poison-"));

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the child until its handler kills it; resolves with the signal that ended it. */
function runChild(...args: string[]): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, dataDir, ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the child did not crash within 20 s: ${stderr}`));
    }, 20_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === null) reject(new Error(`the child exited with code ${code}: ${stderr}`));
      else resolve(signal);
    });
  });
}

describe("a message whose handler crashes the process", () => {
  it("reaches the DLQ after maxReceiveCount crashes instead of crashing every restart", async () => {
    expect(await runChild("publish")).toBe("SIGKILL");
    expect(await runChild()).toBe("SIGKILL");

    const transport = await createEmbeddedTransport({ dataDir, logger: silentLogger() });
    try {
      let delivered = 0;
      await transport.consume("poisoned", async () => {
        delivered++;
      });
      await waitFor(
        async () => (await transport.stats())[0]?.dlqDepth === 1,
        "the poisoned message's dead letter",
      );
      expect(delivered).toBe(0);
      const letters = await transport.deadLetters("poisoned");
      expect(letters).toHaveLength(1);
      expect(letters[0]?.receiveCount).toBe(2);
      expect(letters[0]?.attempts).toHaveLength(2);
      expect(letters[0]?.lastError).toMatch(/no result within the visibility timeout/);
      expect(await transport.stats()).toMatchObject([
        { name: "poisoned", depth: 0, inFlight: 0, dlqDepth: 1 },
      ]);
    } finally {
      await transport.close();
    }
  });
});
