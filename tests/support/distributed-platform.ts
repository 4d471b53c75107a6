import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { removeNatsResources } from "@mercato/platform/nats";
import { dropServiceDatabases, externalServices, sleep } from "@mercato/platform/testing";
import pg from "pg";
import { serviceCatalog } from "../../apps/cli/src/services.ts";
import { freePort } from "./mercato-process.ts";

/**
 * How many distributed platforms the test files may run at once, whatever the number of Vitest
 * workers: each runs ten or more processes with a pool each, and together they must fit in
 * PostgreSQL's default 100 connections (one platform peaked at about 40 with pools of 3).
 */
const platformsAtOnce = 2;
/** Long enough to wait for a slot while two other files' platforms run, then start. */
export const distributedStartGuardMs = 600_000;

/**
 * Waits for a slot: a PostgreSQL session advisory lock, held on a connection of its own until
 * `release`, so that a test process that dies frees its slot too.
 */
async function platformSlot(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: externalServices.postgres.url });
  await client.connect();
  for (;;) {
    for (let slot = 0; slot < platformsAtOnce; slot++) {
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('mercato-distributed-platform'), $1) AS locked",
        [slot],
      );
      if (rows[0]?.locked) return { release: () => client.end() };
    }
    await sleep(500);
  }
}

const bin = fileURLToPath(new URL("../../apps/cli/bin/mercato.js", import.meta.url));
const logDir = fileURLToPath(new URL("../../test-results/distributed/", import.meta.url));

/** A process the supervisor started, as its "process started" log line names it. */
export interface StartedProcess {
  process: string;
  pid: number;
  url: string;
}

export interface DistributedPlatform {
  /** The gateway's address. */
  url: string;
  dataDir: string;
  prefix: string;
  supervisor: ChildProcess;
  /** Everything the supervisor and its processes printed. */
  output(): string;
  /** Every process start, restarts included, in order. */
  started(): StartedProcess[];
  /** The running (latest) process of that name, e.g. `orders` or `inventory-2`. */
  latest(name: string): StartedProcess;
  /** Resolves once the output matches; rejects when the supervisor has exited. */
  printed(pattern: RegExp): Promise<void>;
  /** kill -9 of one process; resolves once the supervisor has started it again and it is ready. */
  crash(name: string): Promise<StartedProcess>;
  opsToken(): Promise<string>;
  /** SIGTERM to the supervisor; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Stops whatever still runs (kill -9) and removes the databases, streams and data directory. */
  close(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `mercato start --distributed`, as `npm run start:distributed` runs it, on this machine's
 * PostgreSQL and NATS under a prefix of its own; resolves once the supervisor says it is ready.
 */
export async function startDistributedPlatform(
  options: { name: string; instances?: string[]; env?: Record<string, string> } = { name: "distributed" },
): Promise<DistributedPlatform> {
  const slot = await platformSlot();
  const prefix = `tdist${process.pid}${Date.now() % 100_000}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-distributed-"));
  const port = await freePort();
  const instances = (options.instances ?? []).flatMap((entry) => ["--instances", entry]);
  const supervisor = spawn(process.execPath, [bin, "start", "--distributed", ...instances], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: externalServices.postgres.url,
      BUS_URL: externalServices.nats.url,
      MERCATO_DATABASE_PREFIX: prefix,
      MERCATO_BUS_PREFIX: prefix,
      MERCATO_DATA_DIR: dataDir,
      MERCATO_SEED: "none",
      MERCATO_DATABASE_POOL_SIZE: "3",
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  supervisor.stdout?.on("data", keep);
  supervisor.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => supervisor.once("exit", (code) => resolve(code)));

  const started = (): StartedProcess[] =>
    output
      .split("\n")
      .filter((line) => line.includes('"msg":"process started"'))
      .map((line) => JSON.parse(line) as StartedProcess);
  const latest = (name: string) => {
    const found = started().findLast((entry) => entry.process === name);
    if (!found) throw new Error(`The supervisor has not started ${name}`);
    return found;
  };
  const printed = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (supervisor.exitCode !== null) throw new Error(`The supervisor exited:\n${output.slice(-8000)}`);
      await sleep(100);
    }
  };
  const ready = async (url: string) => {
    for (;;) {
      const answer = await fetch(new URL("/health/ready", url)).catch(() => undefined);
      await answer?.body?.cancel();
      if (answer?.status === 200) return;
      await sleep(100);
    }
  };

  const platform: DistributedPlatform = {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    prefix,
    supervisor,
    output: () => output,
    started,
    latest,
    printed,
    async crash(name) {
      const before = latest(name);
      process.kill(before.pid, "SIGKILL");
      while (latest(name).pid === before.pid) await sleep(50);
      await ready(latest(name).url);
      return latest(name);
    },
    async opsToken() {
      return (await fs.readFile(path.join(dataDir, "ops-token"), "utf8")).trim();
    },
    async stop() {
      if (supervisor.exitCode !== null) return supervisor.exitCode;
      supervisor.kill("SIGTERM");
      return exited;
    },
    async close() {
      await fs.mkdir(logDir, { recursive: true });
      await fs.writeFile(path.join(logDir, `${options.name}.log`), output);
      if (supervisor.exitCode === null) {
        supervisor.kill("SIGKILL");
        for (const entry of started()) if (isRunning(entry.pid)) process.kill(entry.pid, "SIGKILL");
      }
      await dropServiceDatabases(
        serviceCatalog.map((service) => service.name),
        prefix,
      );
      // A test may run the platform on a NATS server of its own (BUS_URL in `env`).
      await removeNatsResources({ url: options.env?.BUS_URL ?? externalServices.nats.url, prefix });
      await fs.rm(dataDir, { recursive: true, force: true });
      await slot.release();
    },
  };
  try {
    await printed(/"msg":"Mercato is ready \(distributed\)"/);
  } catch (error) {
    await platform.close();
    throw error;
  }
  return platform;
}

export { isRunning };
