import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { paymentIdOf } from "@mercato/payments";
import { removeNatsResources } from "@mercato/platform/nats";
import { dropServiceDatabases, externalServices, requireServer, sleep } from "@mercato/platform/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type MercatoProcess, startMercatoProcess } from "./support/mercato-process.ts";
import { type ShopClient, shopClient } from "./support/shop.ts";

/**
 * The crash-safety requirement on the distributed topology: killing the process that runs
 * orders (or payments) with kill -9 in the middle of a burst of checkouts, then starting it again,
 * leaves no order pending and charges no order twice. Each service group runs in its own
 * `mercato start` process on PostgreSQL and NATS JetStream, as a deployment runs them.
 */
const available = (await requireServer("postgres")) && (await requireServer("nats"));

const customersPerBurst = 60;
const initialStock = 1_000;
const price = 1_999;
/** Well past the saga queues' 10 s visibility timeout: a message a killed process held comes back after it. */
const settleTimeoutMs = 45_000;
const services = ["identity", "catalog", "inventory", "cart", "orders", "payments"];

interface Customer {
  token: string;
  id: string;
}

interface Checkout {
  customer: Customer;
  /** The Idempotency-Key, the same on every attempt of this checkout. */
  key: string;
  status: number;
  orderId?: string;
}

describe.skipIf(!available)("checkout survives kill -9 of orders or payments (PostgreSQL, NATS)", () => {
  const prefix = `tcrash${process.pid}${Date.now() % 100_000}`;
  let dataDir: string;
  let shop: MercatoProcess;
  let orders: MercatoProcess;
  let payments: MercatoProcess;
  let storefront: ShopClient;
  let checkoutApi: ShopClient;
  let skuCounter = 0;
  const pools = new Map<string, pg.Pool>();

  /** A query on one service's own database, with its tables named by schema. */
  const query = async <R extends pg.QueryResultRow>(
    service: string,
    text: string,
    values: unknown[] = [],
  ) => {
    let pool = pools.get(service);
    if (!pool) {
      const url = new URL(externalServices.postgres.url);
      url.pathname = `/${prefix}_${service}`;
      pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
      pools.set(service, pool);
    }
    return (await pool.query<R>(text, values)).rows;
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-crash-"));
    const env = {
      DATABASE_URL: externalServices.postgres.url,
      BUS_URL: externalServices.nats.url,
      MERCATO_DATABASE_PREFIX: prefix,
      MERCATO_BUS_PREFIX: prefix,
      // Orders seals payment tokens and payments opens them: one key for the whole deployment.
      MERCATO_SECRET_KEY: randomBytes(32).toString("base64"),
      MERCATO_DATA_DIR: dataDir,
      MERCATO_SEED: "none",
      LOG_LEVEL: "warn",
    };
    const shopPort = await freePort();
    const shopUrl = `http://127.0.0.1:${shopPort}`;
    [shop, orders, payments] = await Promise.all([
      startMercatoProcess({
        name: "shop",
        services: ["identity", "catalog", "inventory", "cart"],
        env,
        port: shopPort,
      }),
      startMercatoProcess({
        name: "orders",
        services: ["orders"],
        env: { ...env, MERCATO_CART_URL: shopUrl, MERCATO_IDENTITY_URL: shopUrl },
      }),
      startMercatoProcess({ name: "payments", services: ["payments"], env }),
    ]);
    storefront = shopClient(shop.url);
    checkoutApi = shopClient(orders.url);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([shop, orders, payments].map((running) => running?.stop()));
    await Promise.all([...pools.values()].map((pool) => pool.end()));
    await dropServiceDatabases(services, prefix);
    await removeNatsResources({ url: externalServices.nats.url, prefix });
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** A product of its own for each case, so that each case's stock tells its own story. */
  const stockedProduct = () =>
    storefront.stockedProduct({ sku: `CRASH-${++skuCounter}`, price, onHand: initialStock });

  /** Customers with one unit of the product each in their cart, registered a few at a time. */
  const customersWithOneUnit = async (count: number, productId: string): Promise<Customer[]> => {
    const customers: Customer[] = [];
    let started = 0;
    const worker = async () => {
      while (started < count) {
        started += 1;
        const customer = await storefront.register();
        await storefront.addToCart(customer.token, productId, 1);
        customers.push(customer);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return customers;
  };

  /** POST /api/orders; a connection cut by the kill answers status 0. */
  const attempt = async (checkout: Checkout): Promise<Checkout> => {
    try {
      const answer = await checkoutApi.checkout(checkout.customer.token, { key: checkout.key });
      return { ...checkout, status: answer.status, orderId: answer.body?.id };
    } catch {
      return { ...checkout, status: 0 };
    }
  };

  /** Every customer checks out at once; `onAccepted` hears the running count of 202s. */
  const burst = async (customers: Customer[], onAccepted: (accepted: number) => void = () => {}) => {
    let accepted = 0;
    return Promise.all(
      customers.map(async (customer) => {
        const done = await attempt({ customer, key: crypto.randomUUID(), status: 0 });
        if (done.status === 202) onAccepted(++accepted);
        return done;
      }),
    );
  };

  /** What a client does after a failed checkout: the same request, the same Idempotency-Key. */
  const retryUntilAccepted = async (checkout: Checkout): Promise<Checkout> => {
    let latest = checkout;
    for (let tries = 0; tries < 20 && latest.status !== 202; tries++) {
      if (tries > 0) await sleep(250);
      latest = await attempt(checkout);
    }
    expect(latest.status, `checkout ${checkout.key} after retries`).toBe(202);
    return latest;
  };

  /** Each customer has exactly one order, the one their Idempotency-Key answers. */
  const expectOneOrderPerCustomer = async (checkouts: Checkout[]) => {
    const rows = await query<{ user_id: string; ids: string[] }>(
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
  };

  /** Polls until no order is pending; a timeout fails with each stuck order's stream and the queues. */
  const finalStatuses = async (orderIds: string[]) => {
    const deadline = Date.now() + settleTimeoutMs;
    for (;;) {
      const rows = await query<{ id: string; status: string; status_reason: string | null }>(
        "orders",
        "SELECT id::text, status, status_reason FROM orders.orders WHERE id = ANY($1::uuid[])",
        [orderIds],
      );
      const pending = rows.filter((row) => row.status === "pending").map((row) => row.id);
      if (rows.length === orderIds.length && pending.length === 0) return rows;
      if (Date.now() > deadline) throw new Error(await stuckReport(pending, orderIds.length - rows.length));
      await sleep(200);
    }
  };

  const stuckReport = async (pending: string[], missing: number) => {
    const streams = await query<{ order_id: string; types: string[] }>(
      "orders",
      "SELECT order_id::text, array_agg(type ORDER BY version) AS types FROM orders.order_events WHERE order_id = ANY($1::uuid[]) GROUP BY order_id",
      [pending.slice(0, 10)],
    );
    const queues = await storefront.call("GET", "/api/ops/queues", { token: await storefront.adminToken() });
    return [
      `${pending.length} orders still pending after ${settleTimeoutMs} ms, ${missing} missing`,
      `streams: ${JSON.stringify(streams)}`,
      `queues: ${JSON.stringify(queues.body)}`,
      `orders output: ${orders.output().slice(-3_000)}`,
      `payments output: ${payments.output().slice(-3_000)}`,
    ].join("\n");
  };

  /** No order took the same step twice: a redelivered answer was recorded once. */
  const expectNoRepeatedStep = async (orderIds: string[]) => {
    const repeated = await query(
      "orders",
      "SELECT order_id::text, type, count(*)::int AS times FROM orders.order_events WHERE order_id = ANY($1::uuid[]) GROUP BY order_id, type HAVING count(*) > 1",
      [orderIds],
    );
    expect(repeated).toEqual([]);
  };

  interface PaymentRow {
    id: string;
    order_id: string;
    status: string;
    amount: string;
    provider_reference: string | null;
    authorization_attempts: number;
  }

  /**
   * One payment per order, captured for each confirmed order with the order's own payment id, and
   * for a rejected one declined, voided or a tombstone, never captured nor refunded. Polls, since
   * capture and void follow the order's final status through events.
   */
  const expectPaymentsSettled = async (finals: { id: string; status: string }[]) => {
    const statusOf = new Map(finals.map((order) => [order.id, order.status]));
    const settledFor = (order: string, payment: PaymentRow | undefined) =>
      statusOf.get(order) === "confirmed"
        ? payment?.status === "captured"
        : ["declined", "voided", "cancelled"].includes(payment?.status ?? "none");
    let payments: PaymentRow[] = [];
    await expect
      .poll(
        async () => {
          payments = await query<PaymentRow>(
            "payments",
            "SELECT id, order_id, status, amount, provider_reference, authorization_attempts FROM payments.payments WHERE order_id = ANY($1)",
            [[...statusOf.keys()]],
          );
          const byOrder = new Map(payments.map((payment) => [payment.order_id, payment]));
          return [...statusOf.keys()].filter((order) => !settledFor(order, byOrder.get(order)));
        },
        { timeout: settleTimeoutMs, interval: 200 },
      )
      .toEqual([]);
    const rowsPerOrder = new Map<string, number>();
    for (const payment of payments)
      rowsPerOrder.set(payment.order_id, (rowsPerOrder.get(payment.order_id) ?? 0) + 1);
    expect([...rowsPerOrder.values()].every((rows) => rows === 1)).toBe(true);
    for (const payment of payments) {
      expect(payment.id).toBe(paymentIdOf(payment.order_id));
      if (payment.status === "captured") {
        expect(payment.provider_reference).toBe(`sandbox_${payment.id}`);
        expect(Number(payment.amount)).toBe(price);
      }
    }
    const refunds = await query(
      "payments",
      "SELECT order_id FROM payments.refunds WHERE order_id = ANY($1)",
      [[...statusOf.keys()]],
    );
    expect(refunds).toEqual([]);
    return payments;
  };

  /** Stock on hand went down by the confirmed units only (one per order), and no reservation is left. */
  const expectStockConsistent = async (sku: string, finals: { status: string }[]) => {
    const sold = finals.filter((order) => order.status === "confirmed").length;
    await expect
      .poll(() => storefront.stock(sku), { timeout: settleTimeoutMs, interval: 200 })
      .toMatchObject({ onHand: initialStock - sold, reserved: 0, available: initialStock - sold });
    return sold;
  };

  const countBy = <T>(items: T[], name: (item: T) => string | number) => {
    const counts: Record<string, number> = {};
    for (const item of items) counts[name(item)] = (counts[name(item)] ?? 0) + 1;
    return counts;
  };

  /** The outcome in one line, for the run's log: statuses, payments, provider attempts. */
  const outcome = (finals: { status: string; status_reason: string | null }[], payments: PaymentRow[]) =>
    [
      `statuses ${JSON.stringify(countBy(finals, (order) => [order.status, order.status_reason].filter(Boolean).join(":")))}`,
      `payments ${JSON.stringify(countBy(payments, (payment) => payment.status))}`,
      `authorization attempts ${JSON.stringify(countBy(payments, (payment) => payment.authorization_attempts))}`,
    ].join("; ");

  it("kill -9 of orders mid-burst: every accepted or retried checkout ends confirmed or rejected, one order and at most one capture each", async () => {
    const product = await stockedProduct();
    const customers = await customersWithOneUnit(customersPerBurst, product.id);
    const killAfter = Math.ceil(customersPerBurst / 3);
    let killed: Promise<void> | undefined;
    const burstStarted = Date.now();
    const first = await burst(customers, (accepted) => {
      if (accepted === killAfter) killed = orders.kill();
    });
    await killed;
    const killedAfterMs = Date.now() - burstStarted;
    const lost = first.filter((checkout) => checkout.status !== 202);
    // The kill must have cut the burst, or this test proves nothing.
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((checkout) => checkout.status === 0)).toBe(true);

    const restartStarted = Date.now();
    await orders.restart();
    const restartMs = Date.now() - restartStarted;
    const retried = await Promise.all(lost.map(retryUntilAccepted));
    const accepted = first.filter((checkout) => checkout.status === 202);
    // The same key after the restart answers the same order, not a new one.
    const replayed = await Promise.all(accepted.map(attempt));
    expect(replayed.map((checkout) => [checkout.status, checkout.orderId])).toEqual(
      accepted.map((checkout) => [202, checkout.orderId]),
    );
    const checkouts = [...accepted, ...retried];
    await expectOneOrderPerCustomer(checkouts);

    const orderIds = checkouts.map((checkout) => checkout.orderId as string);
    const finals = await finalStatuses(orderIds);
    const settledMs = Date.now() - restartStarted;
    await expectNoRepeatedStep(orderIds);
    const settled = await expectPaymentsSettled(finals);
    const paymentsSettledMs = Date.now() - restartStarted;
    const sold = await expectStockConsistent(product.sku, finals);
    const stockSettledMs = Date.now() - restartStarted;
    console.info(
      `orders killed ${killedAfterMs} ms into the burst, after ${accepted.length} of ${customersPerBurst} accepted; ` +
        `${lost.length} cut and retried with their key; restart ${restartMs} ms; after the restart began, every order final at ${settledMs} ms, payments settled at ${paymentsSettledMs} ms, stock at ${stockSettledMs} ms; ` +
        `${outcome(finals, settled)}; units sold ${sold}`,
    );
  }, 150_000);

  it("kill -9 of payments mid-burst: every order ends confirmed or rejected, one payment per order, captured only when confirmed", async () => {
    const product = await stockedProduct();
    const customers = await customersWithOneUnit(customersPerBurst, product.id);
    const recordedPayments = async () =>
      Number((await query<{ n: string }>("payments", "SELECT count(*) AS n FROM payments.payments"))[0]?.n);
    const before = await recordedPayments();
    let burstDone = false;
    const burstStarted = Date.now();
    const killer = (async () => {
      const deadline = Date.now() + settleTimeoutMs;
      // As soon as payments commits its first authorization: it is then working through the burst
      // with more requests in hand, and it commits them quickly enough that a later trigger misses.
      while ((await recordedPayments()) === before) {
        if (Date.now() > deadline) throw new Error("payments recorded no payment");
        await sleep(10);
      }
      await payments.kill();
      return {
        recordedAtKill: (await recordedPayments()) - before,
        afterMs: Date.now() - burstStarted,
        burstDone,
      };
    })();
    const checkouts = await burst(customers);
    burstDone = true;
    const kill = await killer;
    expect(checkouts.map((checkout) => checkout.status)).toEqual(checkouts.map(() => 202));
    // Killed while payment requests were still to be answered.
    expect(kill.recordedAtKill).toBeLessThan(customersPerBurst);

    const restartStarted = Date.now();
    await payments.restart();
    const restartMs = Date.now() - restartStarted;
    await expectOneOrderPerCustomer(checkouts);
    const orderIds = checkouts.map((checkout) => checkout.orderId as string);
    const finals = await finalStatuses(orderIds);
    const settledMs = Date.now() - restartStarted;
    await expectNoRepeatedStep(orderIds);
    const settled = await expectPaymentsSettled(finals);
    const paymentsSettledMs = Date.now() - restartStarted;
    const sold = await expectStockConsistent(product.sku, finals);
    const stockSettledMs = Date.now() - restartStarted;
    console.info(
      `payments killed ${kill.afterMs} ms into the burst (burst ${kill.burstDone ? "done" : "still running"}), with ${kill.recordedAtKill} of ${customersPerBurst} payments recorded; ` +
        `restart ${restartMs} ms; after the restart began, every order final at ${settledMs} ms, payments settled at ${paymentsSettledMs} ms, stock at ${stockSettledMs} ms; ` +
        `${outcome(finals, settled)}; units sold ${sold}`,
    );
  }, 150_000);
});
