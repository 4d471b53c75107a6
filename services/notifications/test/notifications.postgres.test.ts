import { EventStreamClient, requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type NotificationsHost,
  orderConfirmed,
  priceChanged,
  productCreated,
  startNotifications,
} from "./support.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

/** Notifications alone on PostgreSQL and NATS JetStream, as `mercato start --service notifications` runs it. */
describe.skipIf(!available)("notifications on PostgreSQL and NATS", () => {
  let host: NotificationsHost;

  beforeAll(async () => {
    host = await startNotifications({ distributed: true });
  });

  afterAll(async () => {
    await host?.close();
  });

  it("turns an order event into a notification in the inbox and on the live stream", async () => {
    const ada = await host.customer();
    const stream = await EventStreamClient.open(new URL("/api/notifications/stream", host.url), {
      authorization: `Bearer ${ada.token}`,
    });
    try {
      await host.publish(orderConfirmed(ada.id));
      const event = await stream.next();
      const [stored] = (await host.call("GET", "/api/notifications", { token: ada.token })).body.items;
      expect(stored.type).toBe("order.confirmed");
      expect(event?.id).toBe(stored.id);
    } finally {
      stream.close();
    }
  });

  it("streams every notification once, in commit order, while many are written at once", async () => {
    const grace = await host.customer();
    const stream = await EventStreamClient.open(new URL("/api/notifications/stream", host.url), {
      authorization: `Bearer ${grace.token}`,
    });
    try {
      const orders = Array.from({ length: 150 }, () => orderConfirmed(grace.id));
      await Promise.all(
        Array.from({ length: 5 }, (_, part) => host.publish(...orders.slice(part * 30, part * 30 + 30))),
      );
      const received = await stream.take(150);
      const pages: { id: string }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=100&cursor=${cursor}` : "?limit=100";
        const page = await host.call("GET", `/api/notifications${query}`, { token: grace.token });
        pages.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(received.map((event) => event.id)).toEqual(pages.map((item) => item.id).reverse());
      expect(new Set(received.map((event) => event.id)).size).toBe(150);
    } finally {
      stream.close();
    }
  });

  it("fires a watch once when drops of its product are handled concurrently", async () => {
    const ada = await host.customer();
    const created = productCreated({ sku: "PG-WATCH-1" });
    await host.publish(created);
    const product = { productId: created.detail.productId as string, sku: "PG-WATCH-1" };
    const body = { productId: product.productId, kind: "price-drop" };
    await expect
      .poll(async () => (await host.call("POST", "/api/watches", { token: ada.token, body })).status)
      .toBe(201);
    await Promise.all(
      Array.from({ length: 10 }, (_, step) =>
        host.publish(priceChanged(product, 10_000 - step, 9_000 - step)),
      ),
    );
    await expect.poll(() => host.settled()).toBe(true);
    const items = (await host.call("GET", "/api/notifications", { token: ada.token })).body.items;
    expect(items.map((item: { type: string }) => item.type)).toEqual(["price.dropped"]);
  });
});
