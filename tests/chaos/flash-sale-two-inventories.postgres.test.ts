import { requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistributedPlatform,
  distributedStartGuardMs,
  startDistributedPlatform,
} from "../support/distributed-platform.ts";
import { type ShopClient, shopClient } from "../support/shop.ts";
import {
  type Checkout,
  chaosEnv,
  checkOutWithRetries,
  cleanUp,
  countBy,
  customersWithUnits,
  expectEverythingDelivered,
  expectNoRepeatedStep,
  expectOneOrderPerCustomer,
  expectPaymentsSettled,
  finalStatuses,
  type QueueStats,
  type ServiceDatabases,
  serviceDatabases,
  settleTimeoutMs,
} from "./chaos-shop.ts";

/**
 * Issue 13, fourth chaos case: a flash sale on two inventory processes competing for the same
 * queue (`--instances inventory=2`). Many shoppers, few units, every checkout at once: the units
 * confirmed never exceed the stock, on hand never goes below zero, and the ledger adds up.
 */
const available = (await requireServer("postgres")) && (await requireServer("nats"));

const singleUnitShoppers = 60;
const twoUnitShoppers = 30;
const stock = 30;
const price = 4_900;
const hangGuardMs = 300_000;

describe.skipIf(!available)("chaos: a flash sale on two inventory instances", () => {
  let platform: DistributedPlatform;
  let shop: ShopClient;
  let db: ServiceDatabases;

  beforeAll(async () => {
    platform = await startDistributedPlatform({
      name: "chaos-flash-sale",
      instances: ["inventory=2"],
      env: chaosEnv,
    });
    shop = shopClient(platform.url);
    db = serviceDatabases(platform.prefix);
  }, distributedStartGuardMs);

  afterAll(async () => {
    await cleanUp(
      () => db?.close(),
      () => platform?.close(),
    );
  }, 60_000);

  /** The order-stock messages (reservations, commits, releases) one inventory process handled, from its own operations API. */
  const reservationsHandledBy = async (name: string) => {
    const answer = await fetch(new URL("/api/ops/queues", platform.latest(name).url), {
      headers: { authorization: `Bearer ${await platform.opsToken()}` },
    });
    expect(answer.status).toBe(200);
    const { items } = (await answer.json()) as { items: (QueueStats & { processed: number })[] };
    return items.find((queue) => queue.name === "inventory-order-stock")?.processed ?? 0;
  };

  it(
    "never sells more than the stock: on hand never below zero, the ledger adds up, only confirmed orders are charged",
    async () => {
      const product = await shop.stockedProduct({
        sku: `CHAOS-FLASH-${platform.prefix}`,
        price,
        onHand: stock,
      });
      const [single, double] = await Promise.all([
        customersWithUnits(shop, singleUnitShoppers, product.id, 1),
        customersWithUnits(shop, twoUnitShoppers, product.id, 2),
      ]);
      const unitsOf = new Map<string, number>();
      const checkouts: Checkout[] = await Promise.all(
        [...single, ...double].map(async (customer) => {
          const checkout = await checkOutWithRetries(shop, customer);
          unitsOf.set(checkout.orderId, single.includes(customer) ? 1 : 2);
          return checkout;
        }),
      );
      await expectOneOrderPerCustomer(db, checkouts);
      const orderIds = checkouts.map((checkout) => checkout.orderId);
      const finals = await finalStatuses(db, platform, orderIds);
      await expectNoRepeatedStep(db, orderIds);

      const confirmed = finals.filter((order) => order.status === "confirmed");
      const rejected = finals.filter((order) => order.status !== "confirmed");
      const unitsSold = confirmed.reduce((sum, order) => sum + (unitsOf.get(order.id) ?? 0), 0);
      expect(unitsSold).toBeGreaterThan(0);
      expect(unitsSold).toBeLessThanOrEqual(stock);
      expect(countBy(rejected, (order) => `${order.status}:${order.status_reason}`)).toEqual({
        "rejected:out_of_stock": rejected.length,
      });
      const payments = await expectPaymentsSettled(
        db,
        finals,
        (orderId) => price * (unitsOf.get(orderId) ?? 0),
      );
      expect(payments.captured).toBe(confirmed.length);

      // Inventory commits each confirmed reservation when it hears OrderConfirmed, a moment later.
      await expect
        .poll(() => shop.stock(product.sku), { timeout: settleTimeoutMs, interval: 250 })
        .toMatchObject({ onHand: stock - unitsSold, reserved: 0 });

      // The ledger, in the order its rows were written: summed it gives the stock row, and at no
      // point did on hand, reservations or what was left to reserve go below zero.
      const [ledger] = await db.query<{
        on_hand: number;
        reserved: number;
        stock_on_hand: number;
        lowest_on_hand: number;
        lowest_available: number;
        lowest_reserved: number;
      }>(
        "inventory",
        `WITH running AS (
           SELECT on_hand_delta, reserved_delta,
                  sum(on_hand_delta) OVER written AS on_hand,
                  sum(reserved_delta) OVER written AS reserved
           FROM inventory.stock_ledger WHERE sku = $1
           WINDOW written AS (ORDER BY id)
         )
         SELECT sum(on_hand_delta)::int AS on_hand,
                sum(reserved_delta)::int AS reserved,
                (SELECT on_hand FROM inventory.stock WHERE sku = $1) AS stock_on_hand,
                min(on_hand)::int AS lowest_on_hand,
                min(on_hand - reserved)::int AS lowest_available,
                min(reserved)::int AS lowest_reserved
         FROM running`,
        [product.sku],
      );
      expect(ledger).toMatchObject({
        on_hand: stock - unitsSold,
        reserved: 0,
        stock_on_hand: stock - unitsSold,
      });
      expect(ledger?.lowest_on_hand).toBeGreaterThanOrEqual(0);
      expect(ledger?.lowest_available).toBeGreaterThanOrEqual(0);
      expect(ledger?.lowest_reserved).toBeGreaterThanOrEqual(0);

      // Each order's units: reserved and committed once for a confirmed order, never for a
      // rejected one (a reservation that fails takes nothing).
      const movements = await db.query<{ order_id: string; kinds: string[]; on_hand: number }>(
        "inventory",
        `SELECT order_id, array_agg(kind ORDER BY id) AS kinds, sum(on_hand_delta)::int AS on_hand
         FROM inventory.stock_ledger WHERE sku = $1 AND order_id IS NOT NULL GROUP BY order_id`,
        [product.sku],
      );
      const byOrder = new Map(movements.map((row) => [row.order_id, row]));
      for (const order of confirmed) {
        expect(byOrder.get(order.id), `ledger of ${order.id}`).toMatchObject({
          kinds: ["reserve", "commit"],
          on_hand: -(unitsOf.get(order.id) ?? 0),
        });
      }
      for (const order of rejected) {
        expect(byOrder.get(order.id)?.on_hand ?? 0, `ledger of ${order.id}`).toBe(0);
      }

      // Both inventory processes took reservations off the shared queue.
      const handled = {
        inventory: await reservationsHandledBy("inventory"),
        "inventory-2": await reservationsHandledBy("inventory-2"),
      };
      expect(handled.inventory).toBeGreaterThan(0);
      expect(handled["inventory-2"]).toBeGreaterThan(0);
      await expectEverythingDelivered(db, platform);

      console.info(
        `${checkouts.length} shoppers wanting ${[...unitsOf.values()].reduce((sum, units) => sum + units, 0)} units of ${stock}: ` +
          `${confirmed.length} orders confirmed for ${unitsSold} units, ${rejected.length} rejected; ` +
          `payments ${JSON.stringify(payments)}; inventory-order-stock messages handled ${JSON.stringify(handled)}; ` +
          `ledger lows on hand ${ledger?.lowest_on_hand}, available ${ledger?.lowest_available}`,
      );
    },
    hangGuardMs,
  );
});
