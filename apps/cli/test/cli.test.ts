import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const mercato = path.join(root, "apps/cli/bin/mercato.js");
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run("node", [mercato, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

describe("mercato events test-pattern", () => {
  it("prints true for a match and false otherwise, exiting 0", async () => {
    const pattern = JSON.stringify({
      source: ["mercato.orders"],
      detail: { total: [{ numeric: [">", 100] }] },
    });
    const matching = await cli([
      "events",
      "test-pattern",
      pattern,
      '{"source":"mercato.orders","detail":{"total":150}}',
    ]);
    expect(matching).toMatchObject({ code: 0, stdout: "true\n" });
    const other = await cli([
      "events",
      "test-pattern",
      pattern,
      '{"source":"mercato.orders","detail":{"total":50}}',
    ]);
    expect(other).toMatchObject({ code: 0, stdout: "false\n" });
  });

  it("prints the reason and exits 2 for an invalid pattern or bad JSON", async () => {
    const invalid = await cli(["events", "test-pattern", '{"source":"mercato.orders"}', '{"source":"x"}']);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toMatch(/^invalid pattern: .*source/);
    const notJson = await cli(["events", "test-pattern", "{source:", '{"source":"x"}']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/the pattern is not valid JSON/);
    const missing = await cli(["events", "test-pattern", "{}"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/usage: mercato events test-pattern/);
  });

  it("answers an unknown command with the usage and exit code 2", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("usage: mercato <command>");
  });
});

describe("npm start on a fresh data directory", () => {
  let server: ChildProcess;
  let port: number;
  let dataDir: string;
  let readyAfterMs: number;

  beforeAll(async () => {
    port = await freePort();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-start-"));
    const startedAt = Date.now();
    server = spawn("npm", ["start", "--silent"], {
      cwd: root,
      env: { ...process.env, PORT: String(port), MERCATO_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      detached: true,
      stdio: "ignore",
    });
    const deadline = startedAt + 10_000;
    while (Date.now() < deadline) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    readyAfterMs = Date.now() - startedAt;
  }, 20_000);

  afterAll(() => {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
  });

  it("answers /health/ready with 200 within 10 s", () => {
    expect(readyAfterMs).toBeLessThan(10_000);
  });

  it("serves the queue commands from the running server with the token it wrote", async () => {
    const env = { PORT: String(port), MERCATO_DATA_DIR: dataDir };
    const queues = await cli(["queues"], env);
    expect(queues.code).toBe(0);
    expect(queues.stdout).toMatch(/queue|\(index\)/);
    const dlq = await cli(["dlq", "no-such-queue"], env);
    expect(dlq.code).toBe(1);
    expect(dlq.stderr).toContain("404 Queue no-such-queue does not exist");
    const noToken = await cli(["queues"], {
      PORT: String(port),
      MERCATO_DATA_DIR: path.join(dataDir, "elsewhere"),
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/No operations token/);
  });
});
