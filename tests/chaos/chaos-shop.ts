import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { paymentIdOf } from "@mercato/payments";
import { externalServices, sleep } from "@mercato/platform/testing";
import pg from "pg";
import { expect } from "vitest";
import { serviceCatalog } from "../../apps/cli/src/services.ts";
import type { DistributedPlatform } from "../support/distributed-platform.ts";
import type { ShopClient } from "../support/shop.ts";

/**
 * What the chaos tests share: a shop's customers checking out through the gateway with a client's
 * retries, and the checks that nothing was lost, sold twice or charged twice, read from each
 * service's own database as the services themselves see it.
 */

/** Hang guard for a condition that must come after a fault heals; not a performance limit. */
export const settleTimeoutMs = 90_000;

/** Every request of a test comes from 127.0.0.1: the default limit would turn retries into 429s. */
export const chaosEnv = { MERCATO_RATE_LIMIT_PER_MINUTE: "1000000" };

export interface Customer {
  token: string;
  id: string;
}

export interface Checkout {
  customer: Customer;
  /** The Idempotency-Key, the same on every attempt of this checkout. */
  key: string;
  orderId: string;
  /** Answers other than 202 before the one that accepted it (the faults the client saw). */
  failedAttempts: number[];
}

/**
 * Runs every clean-up step in order even when one fails (a platform whose close failed must not
 * leave its NATS or Redis server running), then throws the first failure.
 */
export async function cleanUp(...steps: (() => Promise<unknown> | undefined)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** One service's database of a distributed platform, queried with its tables named by schema. */
export function serviceDatabases(prefix: string) {
  const pools = new Map<string, pg.Pool>();
  return {
    async query<R extends pg.QueryResultRow>(service: string, text: string, values: unknown[] = []) {
      let pool = pools.get(service);
      if (!pool) {
        const url = new URL(externalServices.postgres.url);
        url.pathname = `/${prefix}_${service}`;
        pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
        pools.set(service, pool);
      }
      return (await pool.query<R>(text, values)).rows;
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}

export type ServiceDatabases = ReturnType<typeof serviceDatabases>;

/** Customers with `units` of the product in their cart, registered a few at a time. */
export async function customersWithUnits(
  shop: ShopClient,
  count: number,
  productId: string,
  units = 1,
): Promise<Customer[]> {
  const customers: Customer[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      const customer = await shop.register();
      await shop.addToCart(customer.token, productId, units);
      customers.push(customer);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return customers;
}

/**
 * What a client does: POST /api/orders, and after a failure (a 5xx while a service is away, a cut
 * connection) the same request with the same Idempotency-Key until it is accepted.
 */
export async function checkOutWithRetries(shop: ShopClient, customer: Customer): Promise<Checkout> {
  const key = crypto.randomUUID();
  const failedAttempts: number[] = [];
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    const answer = await shop.checkout(customer.token, { key }).catch(() => ({ status: 0, body: undefined }));
    if (answer.status === 202) return { customer, key, orderId: answer.body.id, failedAttempts };
    failedAttempts.push(answer.status);
    // A 4xx other than 429 is the shop refusing the checkout, not a fault going away.
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
      throw new Error(`checkout ${key} refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    if (Date.now() > deadline) throw new Error(`checkout ${key} never accepted: ${failedAttempts.join(",")}`);
    await sleep(200);
  }
}

/** Each customer has exactly one order, the one their Idempotency-Key answered. */
export async function expectOneOrderPerCustomer(db: ServiceDatabases, checkouts: Checkout[]) {
  const rows = await db.query<{ user_id: string; ids: string[] }>(
    "orders",
    "SELECT user_id, array_agg(id::text) AS ids FROM orders.orders WHERE user_id = ANY($1) GROUP BY user_id",
    [checkouts.map((checkout) => checkout.customer.id)],
  );
  const ordersOf = new Map(rows.map((row) => [row.user_id, row.ids]));
  for (const checkout of checkouts) {
    expect(ordersOf.get(checkout.customer.id), `orders of ${checkout.customer.id}`).toEqual([
      checkout.orderId,
    ]);
  }
}

export interface FinalOrder {
  id: string;
  status: string;
  status_reason: string | null;
}

/** Waits until no order is pending; the hang guard fails with each stuck order's stream and the queues. */
export async function finalStatuses(
  db: ServiceDatabases,
  platform: DistributedPlatform,
  orderIds: string[],
): Promise<FinalOrder[]> {
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    const rows = await db.query<FinalOrder>(
      "orders",
      "SELECT id::text, status, status_reason FROM orders.orders WHERE id = ANY($1::uuid[])",
      [orderIds],
    );
    const pending = rows.filter((row) => row.status === "pending").map((row) => row.id);
    if (rows.length === orderIds.length && pending.length === 0) {
      for (const row of rows) expect(["confirmed", "rejected", "cancelled"]).toContain(row.status);
      return rows;
    }
    if (Date.now() > deadline) {
      const streams = await db.query(
        "orders",
        "SELECT order_id::text, array_agg(type ORDER BY version) AS types FROM orders.order_events WHERE order_id = ANY($1::uuid[]) GROUP BY order_id",
        [pending.slice(0, 10)],
      );
      throw new Error(
        [
          `${pending.length} orders still pending, ${orderIds.length - rows.length} missing`,
          `streams: ${JSON.stringify(streams)}`,
          `queues: ${JSON.stringify(await queues(platform))}`,
        ].join("\n"),
      );
    }
    await sleep(250);
  }
}

/** No order took the same step twice: a redelivered answer was recorded once. */
export async function expectNoRepeatedStep(db: ServiceDatabases, orderIds: string[]) {
  const repeated = await db.query(
    "orders",
    "SELECT order_id::text, type, count(*)::int AS times FROM orders.order_events WHERE order_id = ANY($1::uuid[]) GROUP BY order_id, type HAVING count(*) > 1",
    [orderIds],
  );
  expect(repeated).toEqual([]);
}

interface PaymentRow {
  id: string;
  order_id: string;
  status: string;
  amount: string;
  provider_reference: string | null;
}

/**
 * One payment per order, with the order's own payment id: captured (once, for the order's amount)
 * for a confirmed order; for a rejected or cancelled one declined, voided or never made; no refund.
 * Waits, since capture and void follow the order's final status through events.
 */
export async function expectPaymentsSettled(
  db: ServiceDatabases,
  finals: FinalOrder[],
  amountOf: (orderId: string) => number,
): Promise<Record<string, number>> {
  const statusOf = new Map(finals.map((order) => [order.id, order.status]));
  const settledFor = (order: string, payment: PaymentRow | undefined) =>
    statusOf.get(order) === "confirmed"
      ? payment?.status === "captured"
      : ["declined", "voided", "cancelled", "none"].includes(payment?.status ?? "none");
  let payments: PaymentRow[] = [];
  await expect
    .poll(
      async () => {
        payments = await db.query<PaymentRow>(
          "payments",
          "SELECT id, order_id, status, amount, provider_reference FROM payments.payments WHERE order_id = ANY($1)",
          [[...statusOf.keys()]],
        );
        const byOrder = new Map(payments.map((payment) => [payment.order_id, payment]));
        return [...statusOf.keys()].filter((order) => !settledFor(order, byOrder.get(order)));
      },
      { timeout: settleTimeoutMs, interval: 250 },
    )
    .toEqual([]);
  const rowsPerOrder = new Map<string, number>();
  for (const payment of payments)
    rowsPerOrder.set(payment.order_id, (rowsPerOrder.get(payment.order_id) ?? 0) + 1);
  expect([...rowsPerOrder.entries()].filter(([, rows]) => rows !== 1)).toEqual([]);
  for (const payment of payments) {
    expect(payment.id).toBe(paymentIdOf(payment.order_id));
    if (payment.status === "captured") {
      expect(payment.provider_reference).toBe(`sandbox_${payment.id}`);
      expect(Number(payment.amount)).toBe(amountOf(payment.order_id));
    }
  }
  const refunds = await db.query(
    "payments",
    "SELECT order_id FROM payments.refunds WHERE order_id = ANY($1)",
    [[...statusOf.keys()]],
  );
  expect(refunds).toEqual([]);
  return countBy(payments, (payment) => payment.status);
}

/** Stock on hand went down by the confirmed units only, and no reservation is left. */
export async function expectStockConserved(
  shop: ShopClient,
  sku: string,
  initial: number,
  unitsSold: number,
) {
  await expect
    .poll(() => shop.stock(sku), { timeout: settleTimeoutMs, interval: 250 })
    .toMatchObject({ onHand: initial - unitsSold, reserved: 0, available: initial - unitsSold });
}

export interface QueueStats {
  name: string;
  depth: number;
  inFlight: number;
  delayed: number;
  dlqDepth: number;
}

/** Every queue of every process, through the gateway's operations API. */
export async function queues(platform: DistributedPlatform): Promise<QueueStats[]> {
  const answer = await fetch(new URL("/api/ops/queues", platform.url), {
    headers: { authorization: `Bearer ${await platform.opsToken()}` },
  });
  const body = (await answer.json()) as { items: QueueStats[]; unavailable?: unknown };
  expect(answer.status).toBe(200);
  expect(body.unavailable).toBeUndefined();
  return body.items;
}

/** Every service but the gateway, which owns no tables: each has an outbox in its own database. */
const servicesWithOutboxes = serviceCatalog
  .map((service) => service.name)
  .filter((name) => name !== "gateway");

/**
 * Nothing waits anywhere: every service's outbox is empty, every queue is empty with nothing in
 * flight, and no message went to a dead-letter queue.
 */
export async function expectEverythingDelivered(db: ServiceDatabases, platform: DistributedPlatform) {
  const outboxes = async () => {
    const counts: Record<string, number> = {};
    for (const service of servicesWithOutboxes) {
      const [row] = await db.query<{ n: number }>(
        service,
        `SELECT count(*)::int AS n FROM "${service}".outbox`,
      );
      if (row && row.n > 0) counts[service] = row.n;
    }
    return counts;
  };
  await expect.poll(outboxes, { timeout: settleTimeoutMs, interval: 250 }).toEqual({});
  await expect
    .poll(
      async () =>
        (await queues(platform))
          .filter((queue) => queue.depth + queue.inFlight + queue.delayed + queue.dlqDepth > 0)
          .map((queue) => `${queue.name} ${JSON.stringify(queue)}`),
      { timeout: settleTimeoutMs, interval: 500 },
    )
    .toEqual([]);
}

export function countBy<T>(items: T[], name: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[name(item)] = (counts[name(item)] ?? 0) + 1;
  return counts;
}

/**
 * Where an installed server's binary is, for a test that starts its own; undefined (the test
 * skips with a message) when it is not installed, but under CI=true a missing binary fails the run.
 */
export function requireBinary(name: string): string | undefined {
  try {
    return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
  } catch {
    const message = `${name} is not installed (not on PATH)`;
    if (process.env.CI === "true") throw new Error(`${message}; CI=true requires it`);
    console.warn(`Skipping: ${message}`);
    return undefined;
  }
}

/** A server this test started itself: stopped (SIGTERM) and started again on the same port and files. */
export interface OwnServer {
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it if running and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts `binary args(port, dir)` on a free port with a temporary directory of its own, and
 * resolves once it accepts connections; `start` after `stop` reuses both.
 */
export async function ownServer(options: {
  name: string;
  binary: string;
  scheme: string;
  port: number;
  args: (port: number, dir: string) => string[];
}): Promise<OwnServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `mercato-chaos-${options.name}-`));
  let child: ChildProcess | undefined;
  let output = "";
  const accepting = async () => {
    const net = await import("node:net");
    for (;;) {
      if (child?.exitCode !== null && child?.exitCode !== undefined)
        throw new Error(`${options.name} exited:\n${output}`);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port: options.port });
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
      if (ok) return;
      await sleep(50);
    }
  };
  const server: OwnServer = {
    url: `${options.scheme}://127.0.0.1:${options.port}`,
    dir,
    output: () => output,
    async start() {
      const started = spawn(options.binary, options.args(options.port, dir), {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      const keep = (chunk: Buffer) => {
        output += chunk.toString("utf8");
      };
      started.stdout?.on("data", keep);
      started.stderr?.on("data", keep);
      await accepting();
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGTERM");
      await exited;
    },
    async close() {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
