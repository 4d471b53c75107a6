import { forgetKeysAnsweredBefore, type OrdersTables } from "@mercato/orders";
import { sql } from "kysely";
import { beforeAll, expect, it } from "vitest";
import { address, type ShopClient } from "./support/shop.ts";
import { describeOnBothTopologies } from "./support/topologies.ts";

/**
 * The checkout saga end to end over HTTP, real tokens, and every step after POST /api/orders
 * carried by events: embedded (every service in one process) and distributed (a process per
 * service on PostgreSQL and NATS), with the same assertions.
 */
describeOnBothTopologies("checkout", (shop) => {
  let client: ShopClient;
  let skuCounter = 0;
  const newSku = () => `CHK-${++skuCounter}`;

  beforeAll(() => {
    client = shop().client;
  });

  const ordersDb = () => shop().database<OrdersTables>("orders");

  const timelineTypes = async (token: string, orderId: string): Promise<string[]> => {
    const timeline = await client.call("GET", `/api/orders/${orderId}/timeline`, { token });
    expect(timeline.status).toBe(200);
    return timeline.body.items.map((item: { type: string }) => item.type);
  };

  it("confirms an order: stock on hand goes down, the cart is emptied, the timeline is complete", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 2500, onHand: 10 });
    const other = await client.stockedProduct({ sku: newSku(), price: 1000, onHand: 5 });
    const buyer = await client.register("Ada");
    await client.addToCart(buyer.token, product.id, 2);
    await client.addToCart(buyer.token, other.id, 1);

    const placed = await client.checkout(buyer.token);
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({
      status: "pending",
      statusReason: null,
      total: { amount: 6000, currency: "EUR" },
      shippingAddress: address,
    });
    expect(placed.body.items).toHaveLength(2);
    expect(placed.body.items).toContainEqual({
      productId: product.id,
      sku: product.sku,
      name: `Product ${product.sku}`,
      quantity: 2,
      unitPrice: { amount: 2500, currency: "EUR" },
      lineTotal: { amount: 5000, currency: "EUR" },
    });

    const confirmed = await client.orderReaching(buyer.token, placed.body.id, ["confirmed", "rejected"]);
    expect(confirmed.status).toBe("confirmed");
    await expect
      .poll(() => client.stock(product.sku))
      .toEqual({ sku: product.sku, onHand: 8, reserved: 0, available: 8 });
    await expect
      .poll(() => client.stock(other.sku))
      .toEqual({ sku: other.sku, onHand: 4, reserved: 0, available: 4 });
    await expect
      .poll(async () => (await client.call("GET", "/api/cart", { token: buyer.token })).body.items)
      .toEqual([]);
    await expect
      .poll(() => timelineTypes(buyer.token, placed.body.id))
      .toEqual(["OrderPlaced", "StockReserved", "PaymentRequested", "PaymentAuthorized", "OrderConfirmed"]);

    const timeline = await client.call("GET", `/api/orders/${placed.body.id}/timeline`, {
      token: buyer.token,
    });
    expect(JSON.stringify(timeline.body)).not.toContain("tok_visa");
    expect(JSON.stringify(timeline.body)).not.toContain("sealedToken");
    // The sealed token was kept only until the payment request carried it.
    const stored = await sql<{ tokens: number; mentions: number }>`
      SELECT (SELECT count(*)::int FROM payment_tokens) AS tokens,
             (SELECT count(*)::int FROM order_events WHERE detail::text LIKE '%sealed%') AS mentions
    `.execute(ordersDb());
    expect(stored.rows[0]).toEqual({ tokens: 0, mentions: 0 });
    const times = timeline.body.items.map((item: { at: string }) => Date.parse(item.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("rejects a declined payment with payment_declined and releases the stock", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 1500, onHand: 3 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 2);
    const placed = await client.checkout(buyer.token, { paymentToken: "tok_declined" });
    expect(placed.status).toBe(202);

    const rejected = await client.orderReaching(buyer.token, placed.body.id, ["confirmed", "rejected"]);
    expect(rejected).toMatchObject({ status: "rejected", statusReason: "payment_declined" });
    await expect
      .poll(() => client.stock(product.sku))
      .toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await timelineTypes(buyer.token, placed.body.id)).toEqual([
      "OrderPlaced",
      "StockReserved",
      "PaymentRequested",
      "PaymentDeclined",
      "OrderRejected",
    ]);
    // A rejected order leaves the cart as it was, to try again with another card.
    const cart = await client.call("GET", "/api/cart", { token: buyer.token });
    expect(cart.body.items).toHaveLength(1);
  });

  it("confirms tok_flaky after the provider's transient failures", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 990, onHand: 2 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);
    const placed = await client.checkout(buyer.token, { paymentToken: "tok_flaky" });
    const order = await client.orderReaching(buyer.token, placed.body.id, ["confirmed", "rejected"]);
    expect(order).toMatchObject({ status: "confirmed", statusReason: null });
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it("flags a cart line beyond the stock, rejects its order with out_of_stock naming the short sku, and never asks for payment", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 700, onHand: 3 });
    const plenty = await client.stockedProduct({ sku: newSku(), price: 100, onHand: 10 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 4);
    await client.addToCart(buyer.token, plenty.id, 1);
    await expect
      .poll(async () => (await client.call("GET", "/api/cart", { token: buyer.token })).body.items)
      .toMatchObject([
        { productId: product.id, quantity: 4, available: 3, exceedsStock: true },
        { productId: plenty.id, quantity: 1, available: 10, exceedsStock: false },
      ]);

    const placed = await client.checkout(buyer.token);
    expect(placed.body.shortages).toEqual([]);
    const order = await client.orderReaching(buyer.token, placed.body.id, ["confirmed", "rejected"]);
    expect(order).toMatchObject({ status: "rejected", statusReason: "out_of_stock" });
    expect(order.shortages).toEqual([{ sku: product.sku, requested: 4, available: 3 }]);
    expect(await timelineTypes(buyer.token, placed.body.id)).toEqual([
      "OrderPlaced",
      "StockReservationFailed",
      "OrderRejected",
    ]);
    expect(await client.stock(product.sku)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
  });

  it("describes the cart's stock fields and the order's shortages in the OpenAPI document", async () => {
    const document = await client.call("GET", "/openapi.json");
    expect(document.status).toBe(200);
    const text = JSON.stringify(document.body);
    for (const field of ["revision", "available", "exceedsStock", "shortages", "requested"]) {
      expect(text, field).toContain(`"${field}"`);
    }
    const order = document.body.components.schemas.Order;
    expect(order.required).toContain("shortages");
    expect(order.properties.shortages.items.required).toEqual(["sku", "requested", "available"]);
  });

  it("places one order for the same Idempotency-Key twice, and refuses the key with another body", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 1200, onHand: 5 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);
    const key = crypto.randomUUID();
    const [first, second] = await Promise.all([
      client.checkout(buyer.token, { key }),
      client.checkout(buyer.token, { key }),
    ]);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    const later = await client.checkout(buyer.token, { key });
    expect(later.body).toEqual(first.body);

    const otherBody = await client.checkout(buyer.token, { key, paymentToken: "tok_declined" });
    expect(otherBody.status).toBe(409);
    expect(otherBody.headers.get("content-type")).toContain("application/problem+json");
    expect(otherBody.body.detail).toMatch(/Idempotency-Key/);

    const list = await client.call("GET", "/api/orders", { token: buyer.token });
    expect(list.body.items.map((order: { id: string }) => order.id)).toEqual([first.body.id]);
    await client.orderReaching(buyer.token, first.body.id, ["confirmed"]);
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 4 });

    // A day later the key is forgotten: the same request is a new checkout (of an empty cart now).
    const forgotten = await forgetKeysAnsweredBefore(ordersDb(), new Date(Date.now() + 1000));
    expect(forgotten).toBeGreaterThanOrEqual(1);
    const afterRetention = await client.checkout(buyer.token, { key });
    expect(afterRetention.status).toBe(422);
  });

  it("places one order for a cart checked out five times at once with five keys, and orders it again once refilled", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 1100, onHand: 10 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);

    const answers = await Promise.all(Array.from({ length: 5 }, () => client.checkout(buyer.token)));
    const first = answers[0]?.body;
    // Each copy answers the one order as it was when that copy was answered: the saga moves on.
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      expect(answer.body.id).toBe(first.id);
      expect(["pending", "confirmed"]).toContain(answer.body.status);
    }
    await client.orderReaching(buyer.token, first.id, ["confirmed"]);
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 9, reserved: 0 });

    await expect
      .poll(async () => (await client.call("GET", "/api/cart", { token: buyer.token })).body.items)
      .toEqual([]);
    await client.addToCart(buyer.token, product.id, 1);
    const again = await client.checkout(buyer.token);
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(first.id);
    const list = await client.call("GET", "/api/orders", { token: buyer.token });
    expect(list.body.items.map((order: { id: string }) => order.id)).toEqual([again.body.id, first.id]);
  });

  it("answers 422 for an empty cart and orders nothing", async () => {
    const buyer = await client.register();
    const placed = await client.checkout(buyer.token);
    expect(placed.status).toBe(422);
    expect(placed.body.detail).toMatch(/cart is empty/);
    const list = await client.call("GET", "/api/orders", { token: buyer.token });
    expect(list.body).toEqual({ items: [], nextCursor: null });
  });

  it("cancels a confirmed order with a refund and a restock, and refuses to cancel once shipped", async () => {
    const admin = await client.adminToken();
    const product = await client.stockedProduct({ sku: newSku(), price: 3000, onHand: 4 });
    const buyer = await client.register();

    await client.addToCart(buyer.token, product.id, 1);
    const cancelled = await client.checkout(buyer.token);
    await client.orderReaching(buyer.token, cancelled.body.id, ["confirmed"]);
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 3, reserved: 0 });
    const cancel = await client.call("POST", `/api/orders/${cancelled.body.id}/cancel`, {
      token: buyer.token,
    });
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe("cancelled");
    await expect
      .poll(() => client.stock(product.sku))
      .toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    await expect
      .poll(() => timelineTypes(buyer.token, cancelled.body.id))
      .toEqual([
        "OrderPlaced",
        "StockReserved",
        "PaymentRequested",
        "PaymentAuthorized",
        "OrderConfirmed",
        "OrderCancelled",
        "PaymentRefunded",
      ]);
    const again = await client.call("POST", `/api/orders/${cancelled.body.id}/cancel`, {
      token: buyer.token,
    });
    expect(again.status).toBe(202);

    await client.addToCart(buyer.token, product.id, 1);
    const shipped = await client.checkout(buyer.token);
    await client.orderReaching(buyer.token, shipped.body.id, ["confirmed"]);
    const ship = await client.call("POST", `/api/orders/${shipped.body.id}/ship`, {
      token: admin,
      body: { carrier: "DHL", trackingNumber: "JD0001" },
    });
    expect(ship.status).toBe(200);
    expect(ship.body.status).toBe("shipped");
    const late = await client.call("POST", `/api/orders/${shipped.body.id}/cancel`, { token: buyer.token });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/shipped/);
    expect(
      (await client.call("GET", `/api/orders/${shipped.body.id}`, { token: buyer.token })).body.status,
    ).toBe("shipped");
  });

  it("cancels a pending order before the saga finishes, releasing whatever was reserved", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 800, onHand: 2 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 2);
    const placed = await client.checkout(buyer.token);
    const cancel = await client.call("POST", `/api/orders/${placed.body.id}/cancel`, { token: buyer.token });
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe("cancelled");
    await expect
      .poll(() => client.stock(product.sku))
      .toMatchObject({
        onHand: 2,
        reserved: 0,
        available: 2,
      });
    // Whatever payments did meanwhile is undone: nothing stays authorized or captured.
    const order = await client.orderReaching(buyer.token, placed.body.id, ["cancelled"]);
    expect(order.statusReason).toBeNull();
  });

  it("ships, delivers, takes a partial and then the whole return with refunds and restock", async () => {
    const admin = await client.adminToken();
    const product = await client.stockedProduct({ sku: newSku(), price: 1000, onHand: 10 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 3);
    const placed = await client.checkout(buyer.token);
    const orderId = placed.body.id;
    await client.orderReaching(buyer.token, orderId, ["confirmed"]);

    const early = await client.call("POST", `/api/orders/${orderId}/returns`, {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "too early" },
    });
    expect(early.status).toBe(409);

    expect((await client.call("POST", `/api/orders/${orderId}/ship`, { token: admin })).status).toBe(200);
    const delivered = await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin });
    expect(delivered.status).toBe(200);
    expect(delivered.body.status).toBe("delivered");
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 7, reserved: 0 });

    const tooMany = await client.call("POST", `/api/orders/${orderId}/returns`, {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 4 }], reason: "changed my mind" },
    });
    expect(tooMany.status).toBe(422);

    const partial = await client.call("POST", `/api/orders/${orderId}/returns`, {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "one was scratched" },
    });
    expect(partial.status).toBe(202);
    expect(partial.body).toMatchObject({
      orderId,
      status: "requested",
      items: [{ productId: product.id, sku: product.sku, quantity: 1 }],
      refund: { amount: 1000, currency: "EUR" },
    });
    const received = await client.call("POST", `/api/returns/${partial.body.id}/receive`, { token: admin });
    expect(received.status).toBe(200);
    expect(received.body.status).toBe("received");
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 8 });
    expect((await client.call("GET", `/api/orders/${orderId}`, { token: buyer.token })).body.status).toBe(
      "delivered",
    );

    const overReturn = await client.call("POST", `/api/orders/${orderId}/returns`, {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 3 }], reason: "all of them" },
    });
    expect(overReturn.status).toBe(422);
    const rest = await client.call("POST", `/api/orders/${orderId}/returns`, {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 2 }], reason: "the rest too" },
    });
    expect(rest.status).toBe(202);
    expect(rest.body.refund).toEqual({ amount: 2000, currency: "EUR" });
    expect((await client.call("POST", `/api/returns/${rest.body.id}/receive`, { token: admin })).status).toBe(
      200,
    );
    const returned = await client.orderReaching(buyer.token, orderId, ["returned"]);
    expect(returned.status).toBe("returned");
    await expect
      .poll(() => client.stock(product.sku))
      .toMatchObject({ onHand: 10, reserved: 0, available: 10 });

    await expect
      .poll(
        async () =>
          (await timelineTypes(buyer.token, orderId)).filter((type) => type === "PaymentRefunded").length,
      )
      .toBe(2);
    const timeline = await client.call("GET", `/api/orders/${orderId}/timeline`, { token: buyer.token });
    const refunds = timeline.body.items.filter((item: { type: string }) => item.type === "PaymentRefunded");
    expect(
      refunds.map((item: { detail: { amount: { amount: number } } }) => item.detail.amount.amount).sort(),
    ).toEqual([1000, 2000]);
  });

  it("shows another user's order as 404 everywhere, and lets an admin see it", async () => {
    const admin = await client.adminToken();
    const product = await client.stockedProduct({ sku: newSku(), price: 500, onHand: 5 });
    const owner = await client.register();
    const stranger = await client.register();
    await client.addToCart(owner.token, product.id, 1);
    const placed = await client.checkout(owner.token);
    const orderId = placed.body.id;
    await client.orderReaching(owner.token, orderId, ["confirmed"]);

    for (const [method, url] of [
      ["GET", `/api/orders/${orderId}`],
      ["GET", `/api/orders/${orderId}/timeline`],
      ["POST", `/api/orders/${orderId}/cancel`],
    ] as const) {
      const answer = await client.call(method, url, { token: stranger.token });
      expect(answer.status, `${method} ${url}`).toBe(404);
      expect(answer.headers.get("content-type")).toContain("application/problem+json");
    }
    expect((await client.call("GET", "/api/orders", { token: stranger.token })).body.items).toEqual([]);
    expect((await client.call("GET", `/api/orders/${orderId}`, { token: admin })).status).toBe(200);
    const everyone = await client.call("GET", "/api/orders?all=true&limit=100", { token: admin });
    expect(everyone.body.items.map((order: { id: string }) => order.id)).toContain(orderId);
    expect((await client.call("GET", "/api/orders?all=true", { token: owner.token })).status).toBe(403);
    expect((await client.call("POST", `/api/orders/${orderId}/ship`, { token: owner.token })).status).toBe(
      403,
    );
    expect((await client.call("GET", "/api/orders/not-an-order", { token: owner.token })).status).toBe(404);
    expect(
      (await client.call("GET", `/api/orders/${crypto.randomUUID()}`, { token: owner.token })).status,
    ).toBe(404);
  });
});
