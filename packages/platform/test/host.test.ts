import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeNatsResources } from "../src/bus/nats/index.ts";
import { type Host, loadConfig, type PlatformConfig, silentLogger, startHost } from "../src/index.ts";
import { dropServiceDatabases, externalServices, requireServer } from "../src/testing/external-services.ts";
import { notesService } from "./fixtures/notes/notes-service.ts";

const distributedAvailable = (await requireServer("postgres")) && (await requireServer("nats"));
const opsToken = "test-operations-token-0123456789";
const queue = "notes-count-notes";

async function embeddedConfig(): Promise<PlatformConfig> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-host-"));
  return { ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_OPS_TOKEN: opsToken }), port: 0 };
}

/** PostgreSQL and NATS under a prefix of this run's own, so that runs never share a database. */
async function distributedConfig(): Promise<PlatformConfig> {
  const prefix = `thost${process.pid}${Date.now() % 100_000}`;
  return {
    ...(await embeddedConfig()),
    databaseUrl: externalServices.postgres.url,
    databasePrefix: prefix,
    busUrl: externalServices.nats.url,
    busPrefix: prefix,
  };
}

const topologies = [
  { name: "embedded (PGlite, embedded bus)", config: embeddedConfig, available: true },
  {
    name: "distributed (PostgreSQL, NATS JetStream)",
    config: distributedConfig,
    available: distributedAvailable,
  },
];

describe.each(topologies)("host on $name", ({ config: makeConfig, available }) => {
  let config: PlatformConfig;
  let host: Host;
  const ops = { authorization: `Bearer ${opsToken}` };

  beforeAll(async () => {
    if (!available) return;
    config = await makeConfig();
    host = await startHost({ config, services: [notesService], logger: silentLogger() });
  });

  afterAll(async () => {
    await host?.close();
    if (config?.databaseUrl) await dropServiceDatabases(["notes"], config.databasePrefix);
    if (config?.busUrl) await removeNatsResources({ url: config.busUrl, prefix: config.busPrefix });
    if (config) await fs.rm(config.dataDir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    url: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(new URL(url, host.url), {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  it.skipIf(!available)("is ready with every dependency checked", async () => {
    const ready = await call("GET", "/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ bus: "ok", notes: "ok" });
    expect((await call("GET", "/health/live")).status).toBe(200);
  });

  it.skipIf(!available)("publishes through the outbox and consumes through the inbox", async () => {
    const created = await call("POST", "/api/notes", { body: { body: "hello" } });
    expect(created.status).toBe(201);
    await expect
      .poll(async () => (await call("GET", `/api/notes/${created.body.id}`)).body.timesSeen)
      .toBe(1);
  });

  it.skipIf(!available)("dead-letters a failing event with every attempt, and redrives it", async () => {
    await call("POST", "/api/notes", { body: { body: "poison" } });
    let letters: { id: string; receiveCount: number; attempts: { error: string }[]; lastError: string }[] =
      [];
    await expect
      .poll(async () => {
        letters = (await call("GET", `/api/ops/queues/${queue}/dlq`, { headers: ops })).body.items;
        return letters.length;
      })
      .toBe(1);
    expect(letters[0]?.attempts.map((attempt) => attempt.error)).toEqual([
      expect.stringContaining("this note cannot be counted"),
      expect.stringContaining("this note cannot be counted"),
    ]);
    expect(letters[0]?.lastError).toContain("this note cannot be counted");
    const stats = (await call("GET", "/api/ops/queues", { headers: ops })).body.items;
    expect(stats).toContainEqual(expect.objectContaining({ name: queue, dlqDepth: 1 }));
    const redriven = await call("POST", `/api/ops/queues/${queue}/redrive`, {
      body: { ids: [letters[0]?.id] },
      headers: ops,
    });
    expect(redriven.body).toEqual({ moved: 1 });
  });

  it.skipIf(!available)("lists rules, tests patterns and exposes queue metrics", async () => {
    const rules = await call("GET", "/api/ops/rules", { headers: ops });
    expect(rules.body.items).toContainEqual({
      name: queue,
      eventPattern: { source: ["mercato.notes"], "detail-type": ["NoteWritten"] },
      target: queue,
    });
    const matched = await call("POST", "/api/ops/test-event-pattern", {
      headers: ops,
      body: { eventPattern: { source: [{ prefix: "mercato." }] }, event: { source: "mercato.notes" } },
    });
    expect(matched.body).toEqual({ result: true });
    const invalid = await call("POST", "/api/ops/test-event-pattern", {
      headers: ops,
      body: { eventPattern: { source: "mercato.notes" }, event: { source: "mercato.notes" } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(invalid.body.detail).toMatch(/^Invalid event pattern: .*source/);
    const metrics = await (await fetch(new URL("/metrics", host.url))).text();
    expect(metrics).toMatch(new RegExp(`mercato_queue_depth\\{queue="${queue}"\\} \\d+`));
    expect(metrics).toMatch(/mercato_outbox_backlog\{service="notes"\} \d+/);
    expect(metrics).toMatch(/mercato_outbox_published_total\{service="notes"\} [1-9]/);
    expect(metrics).toMatch(/mercato_handler_duration_seconds_count\{[^}]*outcome="failed"[^}]*\} [1-9]/);
  });

  it.skipIf(!available)(
    "refuses the operations API without the token, and names unknown queues",
    async () => {
      const anonymous = await call("GET", "/api/ops/queues");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const wrong = await call("GET", "/api/ops/queues", {
        headers: { authorization: "Bearer not-the-token" },
      });
      expect(wrong.status).toBe(401);
      const unknown = await call("GET", "/api/ops/queues/no-such-queue/dlq", { headers: ops });
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe("Queue no-such-queue does not exist");
      const badIds = await call("POST", `/api/ops/queues/${queue}/redrive`, {
        headers: ops,
        body: { ids: "all" },
      });
      expect(badIds.status).toBe(400);
    },
  );

  it.skipIf(!available)("keeps its data and rules across a restart", async () => {
    const created = await call("POST", "/api/notes", { body: { body: "durable" } });
    await expect
      .poll(async () => (await call("GET", `/api/notes/${created.body.id}`)).body.timesSeen)
      .toBe(1);
    await host.close();
    host = await startHost({ config, services: [notesService], logger: silentLogger() });
    expect((await call("GET", `/api/notes/${created.body.id}`)).body).toMatchObject({
      body: "durable",
      timesSeen: 1,
    });
  });
});

describe("the data directory", () => {
  it("belongs to one process at a time, and is released on close", async () => {
    const config = await embeddedConfig();
    const first = await startHost({ config, services: [], logger: silentLogger() });
    try {
      await expect(
        lockDataDirectoryOf(config.dataDir, { ...process.env, MERCATO_DATA_DIR: config.dataDir }),
      ).resolves.toMatch(/is in use by another Mercato process \(pid \d+\)/);
    } finally {
      await first.close();
    }
    const second = await startHost({ config, services: [], logger: silentLogger() });
    await second.close();
    await fs.rm(config.dataDir, { recursive: true, force: true });
  });
});

/** Starts a host in another process on the directory and returns what it printed on failure. */
async function lockDataDirectoryOf(dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { execFile } = await import("node:child_process");
  const mercato = new URL("../../../apps/cli/bin/mercato.js", import.meta.url).pathname;
  return new Promise((resolve) => {
    execFile(
      "node",
      [mercato, "start"],
      { env: { ...env, PORT: "0", MERCATO_DATA_DIR: dataDir } },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

describe("the API description", () => {
  it("serves OpenAPI 3.1 with every route and the bearer scheme", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-openapi-"));
    const host = await startHost({
      config: { ...loadConfig({ MERCATO_DATA_DIR: dataDir }), port: 0 },
      services: [notesService],
      logger: silentLogger(),
    });
    try {
      const response = await fetch(new URL("/openapi.json", host.url));
      expect(response.status).toBe(200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, unknown>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.openapi).toBe("3.1.0");
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          "/api/notes",
          "/api/notes/{id}",
          "/api/ops/queues",
          "/api/ops/queues/{name}/dlq",
        ]),
      );
      expect(document.components.securitySchemes.bearer).toEqual({
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
      });
      const docs = await fetch(new URL("/docs", host.url));
      expect(docs.status).toBe(200);
    } finally {
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
