import fs from "node:fs/promises";
import { opsTokenFile } from "@mercato/platform";
import { externalServices, requireServer } from "@mercato/platform/testing";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { distributedStartGuardMs, startDistributedPlatform } from "./distributed-platform.ts";
import { type ShopClient, shopClient, startShop } from "./shop.ts";

export type TopologyName = "embedded" | "distributed";

/** A whole shop, reached only as its users reach it, whichever way it runs. */
export interface TopologyShop {
  topology: TopologyName;
  client: ShopClient;
  /** The data directory the processes share (mail, the operations token). */
  dataDir: string;
  /** A service's own database, for checks that look past the API. */
  database<Tables>(service: string): Kysely<Tables>;
  /** Whether every queue of every process is idle, as the operations API reports it. */
  idle(): Promise<boolean>;
  close(): Promise<void>;
}

const distributedAvailable = (await requireServer("postgres")) && (await requireServer("nats"));

async function idleQueues(client: ShopClient, dataDir: string): Promise<boolean> {
  const token = (await fs.readFile(opsTokenFile(dataDir), "utf8")).trim();
  const answer = await client.call("GET", "/api/ops/queues", { token });
  if (answer.status !== 200) throw new Error(`GET /api/ops/queues answered ${answer.status}`);
  if (answer.body.unavailable) return false;
  return (answer.body.items as { depth: number; inFlight: number; delayed: number }[]).every(
    (queue) => queue.depth + queue.inFlight + queue.delayed === 0,
  );
}

async function embeddedShop(): Promise<TopologyShop> {
  const shop = await startShop();
  const dataDir = shop.host.services[0]?.context.config.dataDir ?? "";
  return {
    topology: "embedded",
    client: shop.client,
    dataDir,
    database<Tables>(service: string) {
      const running = shop.host.services.find((candidate) => candidate.definition.name === service);
      if (!running) throw new Error(`${service} does not run`);
      return running.context.db as Kysely<Tables>;
    },
    idle: () => idleQueues(shop.client, dataDir),
    close: shop.close,
  };
}

/** `npm run start:distributed`: every service a process of its own on PostgreSQL and NATS. */
async function distributedShop(name: string): Promise<TopologyShop> {
  const platform = await startDistributedPlatform({ name });
  const client = shopClient(platform.url);
  const databases = new Map<string, Kysely<unknown>>();
  return {
    topology: "distributed",
    client,
    dataDir: platform.dataDir,
    database<Tables>(service: string) {
      let db = databases.get(service);
      if (!db) {
        const url = new URL(externalServices.postgres.url);
        url.pathname = `/${platform.prefix}_${service}`;
        const pool = new pg.Pool({
          connectionString: url.toString(),
          max: 2,
          options: `-c search_path=${service},public`,
        });
        db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
        databases.set(service, db);
      }
      return db as Kysely<Tables>;
    },
    idle: () => idleQueues(client, platform.dataDir),
    async close() {
      await Promise.all([...databases.values()].map((db) => db.destroy()));
      await platform.close();
    },
  };
}

/**
 * The same suite, assertion for assertion, on both topologies: every service in this process
 * (embedded: PGlite and the embedded bus), and `npm run start:distributed` (one process per service
 * on PostgreSQL and NATS, the gateway in front). Without PostgreSQL or NATS the distributed run
 * skips with a message, and fails under CI=true.
 */
export function describeOnBothTopologies(title: string, suite: (shop: () => TopologyShop) => void): void {
  for (const topology of ["embedded", "distributed"] as const) {
    describe.skipIf(topology === "distributed" && !distributedAvailable)(`${title} (${topology})`, () => {
      let shop: TopologyShop | undefined;
      beforeAll(async () => {
        const name = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
        shop = topology === "embedded" ? await embeddedShop() : await distributedShop(name);
      }, distributedStartGuardMs);
      afterAll(() => shop?.close(), 60_000);
      suite(() => {
        if (!shop) throw new Error(`The ${topology} shop did not start`);
        return shop;
      });
    });
  }
}
