import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { demoProducts } from "../apps/cli/src/seed/demo-catalog.ts";
import { serviceCatalog } from "../apps/cli/src/services.ts";
import { removeNatsResources } from "../packages/platform/src/bus/nats/index.ts";
import {
  dropServiceDatabases,
  externalServices,
  requireServer,
} from "../packages/platform/src/testing/index.ts";
import { formatMs, formatRate, printTable } from "./machine.ts";

/**
 * Catalog reads through the gateway (cache off, then on) beside a bare Fastify server answering
 * the same product row from the same PostgreSQL database, and bare Fastify static JSON; then the
 * same uncached reads on the two other topologies: embedded (PGlite, one process) and distributed
 * (`mercato start --distributed`: the gateway forwards to catalog's own process). Each server runs
 * in its own process(es); autocannon loads it from this one, on the same two cores.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = 32;
const databasePrefix = `bench_${process.pid}`;
const distributedPrefix = `benchcat${process.pid}`;
const root = new URL("../", import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  info: { url: string; productId?: string };
}

async function startServer(script: string, env: Record<string, string>): Promise<Started> {
  const child = spawn("node", ["--import", "tsx", path.join(root, "bench/servers", script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith("{")) return { child, info: JSON.parse(line) };
  }
  throw new Error(`${script} exited before it was ready`);
}

/** `mercato start --distributed` with the demo shop loaded; its gateway's address once it is. */
async function startDistributed(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("node", [path.join(root, "apps/cli/bin/mercato.js"), "start", "--distributed"], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error("mercato start --distributed exited");
    const categories = (await fetch(new URL("/api/categories", url))
      .then((answer) => (answer.ok ? answer.json() : { items: [] }))
      .catch(() => ({ items: [] }))) as { items: { count: number }[] };
    const products = categories.items.reduce((sum, item) => sum + item.count, 0);
    if (products >= demoProducts().length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const page = (await (await fetch(new URL("/api/products?limit=1", url))).json()) as {
    items: { id: string }[];
  };
  return { child, info: { url, productId: page.items[0]?.id } };
}

/** The search measured must answer the 20 results its label says. */
async function expectFullPage(url: string): Promise<void> {
  const { items } = (await (await fetch(url)).json()) as { items: unknown[] };
  if (items.length !== 20) throw new Error(`${url} answered ${items.length} results, not 20`);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stop({ child }: Started): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function load(url: string, headers: Record<string, string> = {}) {
  await autocannon({ url, connections, duration: 1, headers });
  const result = await autocannon({ url, connections, duration: seconds, headers });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} answers were not 2xx`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** The words searched: every product of the demo's Audio category has them, a full page of 20. */
const searchWords = "audio";

export async function main(): Promise<void> {
  if (!(await requireServer("postgres"))) return;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-catalog-"));
  const hostEnv = {
    DATABASE_URL: externalServices.postgres.url,
    MERCATO_DATABASE_PREFIX: databasePrefix,
    MERCATO_DATA_DIR: dataDir,
    MERCATO_RATE_LIMIT_PER_MINUTE: "100000000",
    LOG_LEVEL: "silent",
  };
  const query = `/api/products?q=${searchWords}&limit=20`;
  const rows: Record<string, string | number>[] = [];
  const row = (
    name: string,
    measured: { rps: number; p50: number; p99: number },
    limit?: { name: string; rps: number },
  ) =>
    rows.push({
      route: name,
      "req/s": formatRate(measured.rps),
      "p50 ms": formatMs(measured.p50),
      "p99 ms": formatMs(measured.p99),
      limit: limit ? `${limit.name} ${formatRate(limit.rps)} req/s` : "",
      "% of limit": limit ? `${Math.round((measured.rps / limit.rps) * 100)}%` : "",
    });
  try {
    const cold = await startServer("catalog-host.ts", {
      ...hostEnv,
      BENCH_SEED: "1",
      MERCATO_CACHE_TTL_SECONDS: "0",
    });
    const productUrl = `/api/products/${cold.info.productId}`;
    const coldProduct = await load(new URL(productUrl, cold.info.url).href);
    await expectFullPage(new URL(query, cold.info.url).href);
    const coldSearch = await load(new URL(query, cold.info.url).href);
    await stop(cold);

    const cached = await startServer("catalog-host.ts", { ...hostEnv, MERCATO_CACHE_TTL_SECONDS: "60" });
    const cachedProduct = await load(new URL(productUrl, cached.info.url).href);
    const cachedSearch = await load(new URL(query, cached.info.url).href);
    await stop(cached);

    const bare = await startServer("bare-fastify.ts", {
      BENCH_CATALOG_DATABASE_URL: externalServices.postgres.url.replace(
        /\/[^/]*$/,
        `/${databasePrefix}_catalog`,
      ),
      BENCH_SEARCH_QUERY: searchWords,
    });
    await expectFullPage(new URL("/search", bare.info.url).href);
    const bareRow = await load(new URL(`/products/${cold.info.productId}`, bare.info.url).href);
    const bareSearch = await load(new URL("/search", bare.info.url).href);
    const bareStatic = await load(new URL("/static", bare.info.url).href);
    await stop(bare);

    row("GET /api/products/{id}, gateway, cold", coldProduct, {
      name: "bare Fastify + pg, same row",
      rps: bareRow.rps,
    });
    row("GET /api/products/{id}, gateway, cached", cachedProduct, {
      name: "bare Fastify static JSON",
      rps: bareStatic.rps,
    });
    row(`GET /api/products?q=${searchWords} (20 results), cold`, coldSearch, {
      name: "bare Fastify + pg, same search",
      rps: bareSearch.rps,
    });
    row(`GET /api/products?q=${searchWords} (20 results), cached`, cachedSearch);
    row("bare Fastify + pg, same row", bareRow);
    row(`bare Fastify + pg, same search (20 results)`, bareSearch);
    row("bare Fastify static JSON", bareStatic);

    const embedded = await startServer("catalog-host.ts", {
      MERCATO_DATA_DIR: path.join(dataDir, "embedded"),
      MERCATO_RATE_LIMIT_PER_MINUTE: "100000000",
      MERCATO_CACHE_TTL_SECONDS: "0",
      LOG_LEVEL: "silent",
      BENCH_SEED: "1",
    });
    row(
      "embedded (PGlite): GET /api/products/{id}, cold",
      await load(new URL(`/api/products/${embedded.info.productId}`, embedded.info.url).href),
    );
    row("embedded (PGlite): search, cold", await load(new URL(query, embedded.info.url).href));
    await stop(embedded);

    if (await requireServer("nats")) {
      const distributed = await startDistributed({
        ...hostEnv,
        MERCATO_DATABASE_PREFIX: distributedPrefix,
        MERCATO_BUS_PREFIX: distributedPrefix,
        MERCATO_DATA_DIR: path.join(dataDir, "distributed"),
        BUS_URL: externalServices.nats.url,
        MERCATO_CACHE_TTL_SECONDS: "0",
        MERCATO_SEED: "demo",
      });
      row(
        "distributed (gateway → catalog process): GET /api/products/{id}, cold",
        await load(new URL(`/api/products/${distributed.info.productId}`, distributed.info.url).href),
      );
      row("distributed: search, cold", await load(new URL(query, distributed.info.url).href));
      await stop(distributed);
    }
    console.log(
      `${connections} connections, ${seconds} s per measure, demo catalog; PostgreSQL unless the row says otherwise`,
    );
    printTable(rows);
  } finally {
    await dropServiceDatabases(["catalog", "gateway"], databasePrefix);
    await dropServiceDatabases(
      serviceCatalog.map((service) => service.name),
      distributedPrefix,
    );
    await removeNatsResources({ url: externalServices.nats.url, prefix: distributedPrefix });
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
