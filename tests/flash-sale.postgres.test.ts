import { removeNatsResources } from "@mercato/platform/nats";
import {
  createTestAuthority,
  dropServiceDatabases,
  externalServices,
  requireServer,
  type TestAuthority,
} from "@mercato/platform/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import { type Body, type ShopClient, startShop } from "./support/shop.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

const buyers = 200;
const stock = 50;

/**
 * The flash sale of issue 4 on PostgreSQL and NATS: 200 buyers, one unit each, 50 in stock, all
 * at once. Inventory must sell exactly 50 and never touch a card for the other 150.
 */
describe.runIf(available)("a flash sale on PostgreSQL and NATS", () => {
  const prefix = `tflash${process.pid}${Date.now() % 100_000}`;
  const services = selectServices(["catalog", "inventory", "cart", "orders", "payments"]);
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;
  let auth: TestAuthority;

  beforeAll(async () => {
    auth = await createTestAuthority();
    shop = await startShop({
      distributed: { prefix },
      auth,
      services,
    });
    client = shop.client;
  });

  afterAll(async () => {
    if (shop) await shop.close();
    else {
      // A start that outlived its hook never handed the shop over: what it made goes by its prefix.
      await dropServiceDatabases(
        services.map((service) => service.name),
        prefix,
      );
      await removeNatsResources({ url: externalServices.nats.url, prefix });
    }
  });

  it("sells exactly the stock: 50 confirmed and captured, 150 rejected out_of_stock and never charged", async () => {
    const product = await client.stockedProduct({ sku: "FLASH-1", price: 1999, onHand: stock });
    const tokens = await Promise.all(Array.from({ length: buyers }, () => auth.token()));
    for (let start = 0; start < buyers; start += 25) {
      await Promise.all(
        tokens.slice(start, start + 25).map((token) => client.addToCart(token, product.id, 1)),
      );
    }

    const placed = await Promise.all(tokens.map((token) => client.checkout(token)));
    expect(placed.map((answer) => answer.status)).toEqual(Array(buyers).fill(202));

    const finals: Body[] = await Promise.all(
      placed.map((answer, index) =>
        client.orderReaching(tokens[index] as string, answer.body.id, ["confirmed", "rejected"]),
      ),
    );
    const confirmed = finals.filter((order) => order.status === "confirmed");
    const rejected = finals.filter((order) => order.status === "rejected");
    expect(confirmed).toHaveLength(stock);
    expect(rejected).toHaveLength(buyers - stock);
    expect(new Set(rejected.map((order) => order.statusReason))).toEqual(new Set(["out_of_stock"]));
    await expect
      .poll(() => client.stock(product.sku))
      .toEqual({ sku: product.sku, onHand: 0, reserved: 0, available: 0 });

    await expect.poll(async () => countCaptured(await paymentsByOrder(prefix))).toBe(stock);
    const payments = await paymentsByOrder(prefix);
    expect(payments.size).toBe(stock);
    for (const order of confirmed) expect(payments.get(order.id), `payment of ${order.id}`).toBe("captured");
    for (const order of rejected) expect(payments.has(order.id), `payment of ${order.id}`).toBe(false);

    const timelines = await Promise.all(
      placed.map(async (answer, index) => {
        const timeline = await client.call("GET", `/api/orders/${answer.body.id}/timeline`, {
          token: tokens[index] as string,
        });
        return {
          status: finals[index].status,
          types: timeline.body.items.map((item: { type: string }) => item.type),
        };
      }),
    );
    for (const { status, types } of timelines) {
      if (status === "confirmed") {
        expect(types.slice(0, 5)).toEqual([
          "OrderPlaced",
          "StockReserved",
          "PaymentRequested",
          "PaymentAuthorized",
          "OrderConfirmed",
        ]);
      } else {
        expect(types).toEqual(["OrderPlaced", "StockReservationFailed", "OrderRejected"]);
      }
    }
  }, 180_000);
});

async function paymentsByOrder(prefix: string): Promise<Map<string, string>> {
  const url = new URL(externalServices.postgres.url);
  url.pathname = `/${prefix}_payments`;
  const connection = new pg.Client({ connectionString: url.toString() });
  await connection.connect();
  try {
    const { rows } = await connection.query<{ order_id: string; status: string }>(
      "SELECT order_id, status FROM payments.payments",
    );
    return new Map(rows.map((row) => [row.order_id, row.status]));
  } finally {
    await connection.end();
  }
}

function countCaptured(payments: Map<string, string>): number {
  return [...payments.values()].filter((status) => status === "captured").length;
}
