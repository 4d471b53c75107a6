import { randomUUID } from "node:crypto";
import os from "node:os";
import {
  CartItemAdded,
  type EventEnvelope,
  OrderConfirmed,
  ProductCreated,
  ProductViewed,
} from "@mercato/contracts";
import { createLogger } from "@mercato/platform";
import { requireServer, startTestHost, type TestHost } from "@mercato/platform/testing";
import { recommendationsService } from "@mercato/recommendations";
import autocannon from "autocannon";
import { pruning } from "../services/recommendations/src/tasks/pruning.ts";
import { formatMs, formatRate, printTable } from "./machine.ts";

/**
 * What learning costs per event and what an answer costs per request, for recommendations alone
 * (PGlite and the embedded bus; PostgreSQL and NATS when they run here). A backlog of each kind of
 * event is published at once and timed until the learning queue has handled it (batched inbox
 * transactions, as in production); then the read routes are loaded with autocannon.
 */
const products = 200;
const users = 500;
const eventsPerKind = Number(process.env.BENCH_RECOMMENDATION_EVENTS ?? 2_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const context = { correlationId: "bench" };
const learningQueue = "recommendations-learning";

interface Product {
  productId: string;
  sku: string;
  name: string;
}

/** Skewed like a shop: a few products draw most of the interest. */
function pick<T>(items: T[]): T {
  return items[Math.floor(items.length * Math.random() ** 2)] as T;
}

function catalog(): { created: EventEnvelope[]; products: Product[] } {
  const created = Array.from({ length: products }, (_, index) =>
    ProductCreated.create(
      {
        productId: randomUUID(),
        sku: `BENCH-REC-${index}`,
        name: `Bench product ${index}`,
        description: "",
        category: "bench",
        price: { amount: 1000, currency: "EUR" },
        attributes: {},
        images: [],
        inStock: true,
      },
      context,
    ),
  );
  return {
    created,
    products: created.map(({ detail: { productId, sku, name } }) => ({ productId, sku, name })),
  };
}

const userIds = Array.from({ length: users }, () => randomUUID());

const kinds: { name: string; make(items: Product[], index: number): EventEnvelope }[] = [
  {
    // Sessions of ten views: each view pairs with up to nine before it.
    name: "ProductViewed (a session of 10)",
    make: (items, index) =>
      ProductViewed.create(
        { productId: pick(items).productId, sessionId: `bench-session-${Math.floor(index / 10)}` },
        context,
      ),
  },
  {
    name: "CartItemAdded",
    make: (items) =>
      CartItemAdded.create(
        { cartId: "bench", userId: pick(userIds), productId: pick(items).productId, quantity: 1 },
        context,
      ),
  },
  {
    name: "OrderConfirmed (3 lines)",
    make: (items) => {
      const lines = [...new Set([pick(items), pick(items), pick(items)])].map((product) => ({
        ...product,
        quantity: 1,
        unitPrice: { amount: 1000, currency: "EUR" },
        lineTotal: { amount: 1000, currency: "EUR" },
      }));
      return OrderConfirmed.create(
        {
          orderId: randomUUID(),
          userId: pick(userIds),
          items: lines,
          total: { amount: 1000 * lines.length, currency: "EUR" },
        },
        context,
      );
    },
  },
];

async function handled(host: TestHost, before: number, count: number): Promise<void> {
  for (;;) {
    const stats = await host.queueStats(learningQueue);
    if (stats.failed > 0 || stats.dlqDepth > 0)
      throw new Error(`${learningQueue} failed ${stats.failed} events`);
    if (stats.processed - before >= count && stats.depth + stats.inFlight + stats.delayed === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function measure(name: string, distributed: boolean): Promise<Record<string, string>[]> {
  const host = await startTestHost({
    services: [recommendationsService],
    distributed,
    logger: createLogger({ level: "warn" }),
  });
  const rows: Record<string, string>[] = [];
  try {
    const { created, products: items } = catalog();
    await host.host.transport.publish(created);
    for (const kind of kinds) {
      const events = Array.from({ length: eventsPerKind }, (_, index) => kind.make(items, index));
      const before = (await host.queueStats(learningQueue)).processed;
      const started = performance.now();
      for (let start = 0; start < events.length; start += 500) {
        await host.host.transport.publish(events.slice(start, start + 500));
      }
      await handled(host, before, events.length);
      const ms = performance.now() - started;
      rows.push({
        topology: name,
        measure: `learn ${kind.name}`,
        value: `${formatRate((events.length / ms) * 1000)} events/s`,
        "per unit": `${formatMs((ms * 1000) / events.length)} µs/event`,
      });
    }
    // Reads see what they see in production: at most a minute of growth past the pruned bounds.
    await pruning.run(host.context("recommendations") as Parameters<typeof pruning.run>[0]);
    const token = await host.authority?.token({ id: pick(userIds) });
    const reads = [
      {
        label: "GET /api/recommendations?productId",
        path: `/api/recommendations?productId=${items[0]?.productId}&limit=10`,
      },
      { label: "GET /api/recommendations/for-me", path: "/api/recommendations/for-me?limit=10", token },
    ];
    for (const read of reads) {
      const headers: Record<string, string> = read.token ? { authorization: `Bearer ${read.token}` } : {};
      const result = await autocannon({
        url: `${host.url}${read.path}`,
        connections: 16,
        duration: seconds,
        headers,
      });
      if (result.non2xx > 0) throw new Error(`${read.path}: ${result.non2xx} answers were not 2xx`);
      rows.push({
        topology: name,
        measure: read.label,
        value: `${formatRate(result.requests.average)} req/s`,
        "per unit": `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      });
    }
  } finally {
    await host.close();
  }
  return rows;
}

export async function main(): Promise<void> {
  const rows = await measure("embedded (PGlite)", false);
  if ((await requireServer("postgres")) && (await requireServer("nats"))) {
    rows.push(...(await measure("PostgreSQL + NATS", true)));
  }
  printTable(rows);
  console.log(`load average while it ran: ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`);
}
