import fs from "node:fs/promises";
import path from "node:path";
import { EventStreamClient } from "@mercato/platform/testing";
import { simpleParser } from "mailparser";
import { beforeAll, expect, it } from "vitest";
import type { ShopClient } from "./support/shop.ts";
import { describeOnBothTopologies } from "./support/topologies.ts";

/**
 * Notifications over HTTP as `npm start` and `npm run start:distributed` run them: every service
 * behind the gateway's rate limits and response cache, real tokens from identity, and every
 * notification caused by the other services' events; the same assertions on both topologies.
 */
describeOnBothTopologies("notifications", (shop) => {
  let client: ShopClient;
  let mailDir: string;
  let skus = 0;
  const newSku = () => `NOTE-${++skus}`;

  beforeAll(() => {
    client = shop().client;
    mailDir = path.join(shop().dataDir, "mail");
  });

  const stream = (token: string, lastEventId?: string) =>
    EventStreamClient.open(new URL("/api/notifications/stream", client.url), {
      authorization: `Bearer ${token}`,
      ...(lastEventId ? { "last-event-id": lastEventId } : {}),
    });

  const inbox = async (token: string) =>
    (await client.call("GET", "/api/notifications", { token })).body.items as { id: string; type: string }[];

  it("tells the customer their order is confirmed, shipped and delivered: inbox, stream, resume and email", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 1999, onHand: 5 });
    const buyer = await client.register("Ada");
    const me = (await client.call("GET", "/api/me", { token: buyer.token })).body;
    await client.addToCart(buyer.token, product.id, 1);
    const live = await stream(buyer.token);
    expect(live.response.status).toBe(200);
    expect(live.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(live.response.headers.get("x-cache")).toBeNull();

    const placed = await client.checkout(buyer.token);
    expect(placed.status).toBe(202);
    const confirmed = await live.next();
    live.close();
    expect(confirmed?.event).toBe("notification");
    expect(JSON.parse(confirmed?.data ?? "{}")).toMatchObject({
      type: "order.confirmed",
      link: `/orders/${placed.body.id}`,
      readAt: null,
    });

    // While the customer is away, the order ships and arrives.
    const admin = await client.adminToken();
    const orderId = placed.body.id;
    expect(
      (await client.call("POST", `/api/orders/${orderId}/ship`, { token: admin, body: {} })).status,
    ).toBe(200);
    expect((await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin })).status).toBe(200);
    await expect.poll(async () => (await inbox(buyer.token)).length).toBe(3);

    const resumed = await stream(buyer.token, confirmed?.id);
    const missed = await resumed.take(2);
    resumed.close();
    expect(missed.map((event) => JSON.parse(event.data).type)).toEqual(["order.shipped", "order.delivered"]);
    const stored = await inbox(buyer.token);
    expect(stored.map((item) => item.type)).toEqual(["order.delivered", "order.shipped", "order.confirmed"]);
    expect(missed.map((event) => event.id)).toEqual([stored[1]?.id, stored[0]?.id]);

    const file = path.join(mailDir, `${confirmed?.id}.eml`);
    await expect
      .poll(() =>
        fs.access(file).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    const mail = await simpleParser(await fs.readFile(file));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe(me.email);
    expect(mail.subject).toBe("Order confirmed");
    expect(mail.text).toContain(`/orders/${orderId}`);
    expect(mail.html).toContain(`/orders/${orderId}`);
  });

  it("tells the customer about a cancellation and its refund", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 4200, onHand: 5 });
    const buyer = await client.register("Grace");
    await client.addToCart(buyer.token, product.id, 1);
    const placed = await client.checkout(buyer.token);
    await client.orderReaching(buyer.token, placed.body.id, ["confirmed"]);
    expect(
      (await client.call("POST", `/api/orders/${placed.body.id}/cancel`, { token: buyer.token })).status,
    ).toBe(202);
    await expect
      .poll(async () => (await inbox(buyer.token)).map((item) => item.type).sort())
      .toEqual(["order.cancelled", "order.confirmed", "refund.issued"]);
  });

  it("notifies watchers of a price drop below their target and of a return to stock, once each", async () => {
    const admin = await client.adminToken();
    const product = await client.stockedProduct({ sku: newSku(), price: 10_000, onHand: 1 });
    const watcher = await client.register("Watcher");
    const watch = (body: unknown) => client.call("POST", "/api/watches", { token: watcher.token, body });
    // Notifications learns products from catalog's events: right after creation it may not know it yet.
    await expect
      .poll(
        async () =>
          (
            await watch({
              productId: product.id,
              kind: "price-drop",
              targetPrice: { amount: 8_000, currency: "EUR" },
            })
          ).status,
      )
      .toBe(201);
    expect((await watch({ productId: product.id, kind: "back-in-stock" })).status).toBe(201);
    expect((await watch({ productId: product.id, kind: "back-in-stock" })).status).toBe(409);

    const price = (amount: number) =>
      client.call("PATCH", `/api/products/${product.id}`, {
        token: admin,
        body: { price: { amount, currency: "EUR" } },
      });
    const stock = (onHand: number) =>
      client.call("PUT", `/api/inventory/${product.sku}`, { token: admin, body: { onHand } });

    expect((await price(9_000)).status).toBe(200);
    expect((await price(7_500)).status).toBe(200);
    expect((await price(7_000)).status).toBe(200);
    expect((await stock(0)).status).toBe(200);
    expect((await stock(4)).status).toBe(200);
    expect((await stock(0)).status).toBe(200);
    expect((await stock(2)).status).toBe(200);
    await expect
      .poll(async () => (await inbox(watcher.token)).map((item) => item.type).sort())
      .toEqual(["back-in-stock", "price.dropped"]);
    const watches = (await client.call("GET", "/api/watches", { token: watcher.token })).body.items;
    expect(watches.every((entry: { firedAt: string | null }) => entry.firedAt !== null)).toBe(true);
    const [drop] = (await inbox(watcher.token)).filter((item) => item.type === "price.dropped");
    expect(drop).toMatchObject({ body: `Product ${product.sku} now costs €75.00 (was €90.00).` });
  });

  it("keeps each user's notifications their own", async () => {
    const ada = await client.register("Ada");
    const eve = await client.register("Eve");
    const product = await client.stockedProduct({ sku: newSku(), price: 500, onHand: 5 });
    await client.addToCart(ada.token, product.id, 1);
    const placed = await client.checkout(ada.token);
    await expect.poll(async () => (await inbox(ada.token)).length).toBe(1);
    const [notification] = await inbox(ada.token);
    expect(await inbox(eve.token)).toEqual([]);
    const foreign = await client.call("POST", `/api/notifications/${notification?.id}/read`, {
      token: eve.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-type")).toBe("application/problem+json");
    expect((await client.call("GET", "/api/notifications")).status).toBe(401);
    expect((await client.call("GET", "/api/watches")).status).toBe(401);
    expect(placed.status).toBe(202);
  });
});
