import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../tests/support/mercato-process.ts";
import { formatMs, printTable } from "./machine.ts";

/**
 * `npm start` as a newcomer runs it: the time from the command to `/health/ready` answering 200,
 * on a fresh data directory (the first start, with the demo shop loading after it) and on a warm
 * one, and the resident memory of the whole process tree (npm, sh, node) once idle. Beside them:
 * the targets of architecture.md and a bare `node` process started the same way, the floor.
 */
const root = fileURLToPath(new URL("../", import.meta.url));
const warmStarts = 5;
const idleSettleMs = 5_000;
const targets = { readyMs: 3_000, rssMiB: 350 };

export async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-startup-"));
  try {
    const port = await freePort();
    const cold = await startOnce(dataDir, port, { untilDemoShopLoaded: true });
    const warm: Run[] = [];
    for (let index = 0; index < warmStarts; index++) warm.push(await startOnce(dataDir, port, {}));
    const floor = await bareNode();

    const readyTimes = warm.map((run) => run.readyMs).sort((a, b) => a - b);
    const rss = warm.map((run) => run.idleRssMiB).sort((a, b) => a - b);
    const median = (values: number[]) => values[Math.floor(values.length / 2)] ?? Number.NaN;
    printTable([
      {
        measure: "start to ready, fresh data directory",
        value: `${formatMs(cold.readyMs)} ms`,
        limit: "-",
        floor: `${formatMs(floor.readyMs)} ms (node alone)`,
      },
      {
        measure: "demo shop loaded (220 products), fresh",
        value: `${formatMs(cold.demoShopMs ?? Number.NaN)} ms`,
        limit: "-",
        floor: "-",
      },
      {
        measure: `start to ready, warm (median of ${warmStarts}; min-max)`,
        value: `${formatMs(median(readyTimes))} ms (${formatMs(readyTimes[0] ?? 0)}-${formatMs(readyTimes.at(-1) ?? 0)})`,
        limit: `<= ${targets.readyMs} ms`,
        floor: `${formatMs(floor.readyMs)} ms (node alone)`,
      },
      {
        measure: "idle RSS of the npm start process tree, warm",
        value: `${median(rss).toFixed(0)} MiB (${rss[0]?.toFixed(0)}-${rss.at(-1)?.toFixed(0)}; node ${median(warm.map((run) => run.serverRssMiB)).toFixed(0)})`,
        limit: `<= ${targets.rssMiB} MB`,
        floor: `${floor.idleRssMiB.toFixed(0)} MiB (node alone)`,
      },
    ]);
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

interface Run {
  readyMs: number;
  demoShopMs?: number;
  idleRssMiB: number;
  serverRssMiB: number;
}

async function startOnce(
  dataDir: string,
  port: number,
  options: { untilDemoShopLoaded?: boolean },
): Promise<Run> {
  const started = performance.now();
  const npm = spawn("npm", ["start", "--silent"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), MERCATO_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => npm.once("exit", resolve));
  try {
    await until(async () => (await readiness(port))?.status === "ok");
    const readyMs = performance.now() - started;
    let demoShopMs: number | undefined;
    if (options.untilDemoShopLoaded) {
      await until(async () => (await readiness(port))?.progress?.demoShop === "loaded");
      demoShopMs = performance.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, idleSettleMs));
    const tree = processTree(npm.pid as number);
    return {
      readyMs,
      ...(demoShopMs === undefined ? {} : { demoShopMs }),
      idleRssMiB: tree.reduce((sum, pid) => sum + rssMiB(pid), 0),
      serverRssMiB: Math.max(...tree.map(rssMiB)),
    };
  } finally {
    process.kill(-(npm.pid as number), "SIGINT");
    await exited;
  }
}

/** A plain `node` that listens on a port, started and measured the same way. */
async function bareNode(): Promise<{ readyMs: number; idleRssMiB: number }> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "-e",
      `require("node:http").createServer((q, s) => s.end('{"status":"ok"}')).listen(${port}, "127.0.0.1")`,
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await until(async () => (await readiness(port))?.status === "ok");
  const readyMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleRssMiB = rssMiB(child.pid as number);
  child.kill("SIGTERM");
  await exited;
  return { readyMs, idleRssMiB };
}

async function readiness(
  port: number,
): Promise<{ status?: string; progress?: { demoShop?: string } } | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
  return response ? ((await response.json().catch(() => undefined)) as { status?: string }) : undefined;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A process and all its descendants, from /proc (Linux). */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
  return [pid, ...children.flatMap(processTree)];
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) / 1024;
}
