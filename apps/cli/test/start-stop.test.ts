import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  type MercatoProcess,
  startMercatoProcess,
} from "../../../tests/support/mercato-process.ts";
import { demoProducts } from "../src/seed/demo-catalog.ts";
import { cli } from "./support/cli.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const hangGuardMs = 240_000;

/**
 * The whole life of an embedded server on one data directory, step by step: an interrupted demo
 * load, a restart that finishes it, the queue commands against it, kill -9, and the ways a person
 * or a supervisor stops it. Each step starts from where the one before left the directory.
 */
describe("mercato start: starting, stopping and starting again", () => {
  let dataDir: string;
  let server: MercatoProcess;
  let port: number;
  const lockFile = () => path.join(dataDir, "mercato.lock");

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-start-"));
    port = await freePort();
  });

  afterAll(async () => {
    await server?.kill();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(
    "stops cleanly at a SIGINT during the demo load, and the next start completes the shop",
    async () => {
      server = await startMercatoProcess({
        name: "embedded",
        services: [],
        port,
        env: { MERCATO_DATA_DIR: dataDir },
      });
      await until(async () => /^loading [1-9]\d*\/220$/.test((await readiness(server)).demoShop ?? ""));
      server.signal("SIGINT");
      expect(await server.exited()).toBe(0);
      expect(server.output()).toMatch(/"msg":"stopped"/);
      expect(server.output()).toMatch(/demo shop load stopped; the next start finishes it/);
      await expect(fs.access(lockFile())).rejects.toThrow();
      expect(await fs.readFile(path.join(dataDir, "demo-shop"), "utf8")).toBe("loading\n");

      await server.restart();
      await until(async () => (await readiness(server)).demoShop === "loaded");
      await expectCompleteDemoShop(server.url);
    },
    hangGuardMs * 2,
  );

  it("serves the queue commands, naming unknown queues and message ids", async () => {
    const env = { PORT: String(port), MERCATO_DATA_DIR: dataDir };
    const queues = await cli(["queues"], env);
    expect(queues.code).toBe(0);
    expect(queues.stdout).toContain("orders-saga-answers");

    const dlq = await cli(["dlq", "no-such-queue"], env);
    expect(dlq).toMatchObject({ code: 1 });
    expect(dlq.stderr).toContain("404 Queue no-such-queue does not exist");

    const redrive = await cli(["redrive", "orders-saga-answers", "--id", "no-such-message"], env);
    expect(redrive.code).toBe(1);
    expect(redrive.stderr).toContain(
      "No dead letter no-such-message in orders-saga-answers's dead-letter queue; nothing was moved",
    );
    const redriveAll = await cli(["redrive", "orders-saga-answers"], env);
    expect(redriveAll).toMatchObject({ code: 0 });
    expect(redriveAll.stdout).toContain("Moved 0 message(s)");
    expect(await cli(["purge", "orders-saga-answers"], env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Purged orders-saga-answers; its dead letters are kept"),
    });
    const purgeUnknown = await cli(["purge", "no-such-queue"], env);
    expect(purgeUnknown).toMatchObject({ code: 1 });
    expect(purgeUnknown.stderr).toContain("404 Queue no-such-queue does not exist");

    const noToken = await cli(["queues"], {
      PORT: String(port),
      MERCATO_DATA_DIR: path.join(dataDir, "none"),
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/No operations token/);
  });

  it(
    "takes over the lock of a process that was killed",
    async () => {
      await server.kill();
      const stale = (await fs.readFile(lockFile(), "utf8")).trim();
      await server.restart();
      const holder = (await fs.readFile(lockFile(), "utf8")).trim();
      expect(holder).not.toBe(stale);
      await until(async () => (await readiness(server)).demoShop === "loaded");
    },
    hangGuardMs,
  );

  it(
    "exits at a second SIGINT during a slow drain and gives the lock back",
    async () => {
      const stuck = await requestWaitingForItsBody(port);
      server.signal("SIGINT");
      await server.printed(/"msg":"stopping/);
      // Past the window in which a repeat counts as the echo of the first signal.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      server.signal("SIGINT");
      expect(await server.exited()).toBe(130);
      expect(server.output()).toContain("stopped at once, without draining");
      await expect(fs.access(lockFile())).rejects.toThrow();
      stuck.destroy();
    },
    hangGuardMs,
  );

  it(
    "stops cleanly when Ctrl-C reaches npm start and the server together",
    async () => {
      const npm = spawn("npm", ["start", "--silent"], {
        cwd: root,
        env: { ...process.env, PORT: String(port), MERCATO_DATA_DIR: dataDir },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      npm.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
      });
      const exited = new Promise((resolve) => npm.once("exit", (code, signal) => resolve(code ?? signal)));
      await until(async () => (await readiness({ url: `http://127.0.0.1:${port}` })).status === "ok");
      // What a terminal does at Ctrl-C: the signal goes to every process of the foreground group.
      process.kill(-(npm.pid as number), "SIGINT");
      await exited;
      expect(output).toMatch(/"msg":"stopped"/);
      expect(output).not.toContain("stopped at once");
      await expect(fs.access(lockFile())).rejects.toThrow();
    },
    hangGuardMs,
  );
});

async function readiness(server: { url: string }): Promise<{ status?: string; demoShop?: string }> {
  const response = await fetch(`${server.url}/health/ready`).catch(() => undefined);
  if (!response) return {};
  const body = (await response.json()) as { status: string; progress?: { demoShop?: string } };
  return { status: body.status, demoShop: body.progress?.demoShop };
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * A request whose headers the server has read (it answered `100 Continue`) and whose body never
 * comes: the server cannot finish draining it.
 */
async function requestWaitingForItsBody(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.write(
    "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      "Content-Length: 100\r\nExpect: 100-continue\r\n\r\n",
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      if (chunk.toString("latin1").startsWith("HTTP/1.1 100")) resolve();
    });
  });
  return socket;
}

async function expectCompleteDemoShop(baseUrl: string): Promise<void> {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@mercato.local", password: "mercato-admin" }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const products: { sku: string; images: string[] }[] = [];
  let cursor: string | null = null;
  do {
    const page: Response = await fetch(
      `${baseUrl}/api/products?limit=100&sort=newest${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    const body = (await page.json()) as { items: typeof products; nextCursor: string | null };
    products.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);

  const expected = demoProducts();
  expect(products.map((product) => product.sku).sort()).toEqual(
    expected.map((product) => product.sku).sort(),
  );
  expect(products.filter((product) => product.images.length !== 1)).toEqual([]);
  for (const product of expected) {
    const stock = await fetch(`${baseUrl}/api/inventory/${encodeURIComponent(product.sku)}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await stock.json()).toMatchObject({ sku: product.sku, onHand: product.initialStock });
  }
}
