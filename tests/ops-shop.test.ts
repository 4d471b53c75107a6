import { ordersService } from "@mercato/orders";
import { configureService } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices, serviceCatalog } from "../apps/cli/src/services.ts";
import { address, type Body, type ShopClient, startShop } from "./support/shop.ts";
import { describeOnBothTopologies } from "./support/topologies.ts";

/** The operations API over a whole shop: the event log of a checkout, and the shop's alerts. */

type Shop = Awaited<ReturnType<typeof startShop>>;

interface LoggedEvent {
  id: string;
  "detail-type": string;
  detail: { orderId?: string };
  metadata: { "correlation-id": string };
}

async function alerts(client: ShopClient): Promise<{ name: string; severity: string; summary: string }[]> {
  const answer = await client.call("GET", "/api/ops/alerts", { token: await client.adminToken() });
  expect(answer.status).toBe(200);
  return answer.body.items;
}

/** Every page of the event log for `query`, newest first. */
async function allEvents(client: ShopClient, query: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: Body } = await client.call(
      "GET",
      `/api/ops/events?limit=7${query}${cursor ? `&cursor=${cursor}` : ""}`,
      { token: await client.adminToken() },
    );
    expect(page.status).toBe(200);
    events.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return events;
}

describeOnBothTopologies("operations over a whole shop", (shop) => {
  let client: ShopClient;

  beforeAll(() => {
    client = shop().client;
  });

  it("fires no alert on a healthy idle shop", async () => {
    expect(await alerts(client)).toEqual([]);
    const customer = await client.register();
    expect((await client.call("GET", "/api/ops/alerts", { token: customer.token })).status).toBe(403);
    expect((await client.call("GET", "/api/ops/alerts")).status).toBe(401);
  });

  it("gives a checkout's events, and only those, by its correlation id", async () => {
    const product = await client.stockedProduct({ sku: "OPS-LOG-1", price: 2500, onHand: 10 });
    const checkouts = await Promise.all(
      ["first", "second"].map(async (name) => {
        const buyer = await client.register(name);
        await client.addToCart(buyer.token, product.id, 1);
        const correlationId = `checkout-${crypto.randomUUID()}`;
        const placed = await client.call("POST", "/api/orders", {
          token: buyer.token,
          headers: { "idempotency-key": crypto.randomUUID(), "x-correlation-id": correlationId },
          body: { shippingAddress: address, payment: { token: "tok_visa" } },
        });
        expect(placed.status).toBe(202);
        await client.orderReaching(buyer.token, placed.body.id, ["confirmed"]);
        return { correlationId, orderId: placed.body.id as string };
      }),
    );
    const [first, second] = checkouts;
    if (!first || !second) throw new Error("two checkouts");

    // The log is complete once the saga's last steps are in; then the filter and a full read agree.
    let followed: LoggedEvent[] = [];
    await expect
      .poll(async () => {
        followed = await allEvents(client, `&correlationId=${first.correlationId}`);
        const everything = await allEvents(client, "");
        const byHand = everything.filter((event) => event.metadata["correlation-id"] === first.correlationId);
        return followed.length > 0 && JSON.stringify(followed) === JSON.stringify(byHand)
          ? followed.map((event) => event["detail-type"])
          : [];
      })
      .toEqual(
        expect.arrayContaining(["OrderPlaced", "StockReserved", "PaymentAuthorized", "OrderConfirmed"]),
      );
    expect(new Set(followed.map((event) => event.id)).size).toBe(followed.length);
    for (const event of followed) {
      expect(event.metadata["correlation-id"]).toBe(first.correlationId);
      if (event.detail.orderId) expect(event.detail.orderId).toBe(first.orderId);
    }
    expect(followed.map((event) => event.detail.orderId)).not.toContain(second.orderId);

    expect(
      (
        await client.call("GET", "/api/ops/events?cursor=bm90LWEtY3Vyc29y", {
          token: await client.adminToken(),
        })
      ).status,
    ).toBe(400);
    // The saga ran without a failed handler: still nothing to alert about.
    expect(await alerts(client)).toEqual([]);
  });
});

describe("alerts when payments is not running", () => {
  let shop: Shop;

  beforeAll(async () => {
    const names = serviceCatalog.map((entry) => entry.name).filter((name) => name !== "payments");
    // Orders waits ten minutes for payments' answer, so its orders stay pending.
    const slowOrders: ReturnType<typeof selectServices>[number] = configureService(ordersService, {
      settings: { paymentTimeoutMs: 600_000 },
    });
    shop = await startShop({
      services: selectServices(names).map((service) => (service.name === "orders" ? slowOrders : service)),
      env: { MERCATO_ALERT_PENDING_ORDER_SECONDS: "1" },
    });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("fires OrdersStuckPending once an order waits longer than the threshold", async () => {
    const { client } = shop;
    expect(await alerts(client)).toEqual([]);
    const product = await client.stockedProduct({ sku: "OPS-STUCK-1", price: 1500, onHand: 3 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);
    const placed = await client.checkout(buyer.token);
    expect(placed.body.status).toBe("pending");

    await expect
      .poll(async () => (await alerts(client)).filter((alert) => alert.name === "OrdersStuckPending"))
      .toEqual([
        {
          name: "OrdersStuckPending",
          severity: "critical",
          since: expect.any(String),
          summary: expect.stringMatching(
            /^An order has been pending for \d+(\.\d)? s \(threshold 1 s\): the checkout saga is not moving/,
          ),
        },
      ]);
    expect(
      (await client.call("GET", `/api/orders/${placed.body.id}`, { token: buyer.token })).body.status,
    ).toBe("pending");
  });
});
