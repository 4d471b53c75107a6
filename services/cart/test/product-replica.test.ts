import {
  CartItemAdded,
  type EventEnvelope,
  PriceChanged,
  ProductDeleted,
  ProductUpdated,
} from "@mercato/contracts";
import { describe, expect, it } from "vitest";
import {
  call,
  describeOnEveryTopology,
  knownProduct,
  productCreated,
  publishCatalogEvents,
} from "./cart-host.ts";

describeOnEveryTopology("cart on $name", (cart) => {
  type Product = {
    productId: string;
    sku: string;
    name: string;
    price: { amount: number; currency: string };
  };

  const asUser = async (id: string) => cart.authority.token({ id });
  const get = (token: string) => call(cart.host, "GET", "/api/cart", { token });
  const add = (token: string, productId: string, quantity = 1) =>
    call(cart.host, "POST", "/api/cart/items", { token, body: { productId, quantity } });

  /** An event as the catalog would have published it at `time`. */
  function at<Detail>(event: EventEnvelope<Detail>, time: Date): EventEnvelope<Detail> {
    return { ...event, time: time.toISOString() };
  }

  function updated(product: Product, changes: Partial<Pick<Product, "name" | "price">>) {
    return ProductUpdated.create(
      {
        ...product,
        ...changes,
        description: "",
        category: "tests",
        attributes: {},
        images: [],
        inStock: true,
        changed: Object.keys(changes),
      },
      { correlationId: "test" },
    );
  }

  function priceChanged(product: Product, oldAmount: number, newAmount: number) {
    const currency = product.price.currency;
    return PriceChanged.create(
      {
        productId: product.productId,
        sku: product.sku,
        oldPrice: { amount: oldAmount, currency },
        newPrice: { amount: newAmount, currency },
      },
      { correlationId: "test" },
    );
  }

  function deleted(product: Product) {
    return ProductDeleted.create(
      { productId: product.productId, sku: product.sku },
      { correlationId: "test" },
    );
  }

  /** Publishes and polls the cart until `seen` holds (however long a loaded machine takes). */
  async function untilSeen(
    token: string,
    events: EventEnvelope[],
    seen: (cart: { items: { name: string; unitPrice: { amount: number } }[] }) => boolean,
  ): Promise<void> {
    await cart.host.transport.publish(events);
    await expect.poll(async () => seen((await get(token)).body), { interval: 5 }).toBe(true);
  }

  describe("carts follow the catalog through the replica", () => {
    it("shows a PriceChanged in the cart", async () => {
      const token = await asUser("price-watcher");
      const product = await knownProduct(cart.host, { price: { amount: 1000, currency: "EUR" } });
      await add(token, product.productId, 3);
      await untilSeen(
        token,
        [priceChanged(product, 1000, 800)],
        (body) => body.items[0]?.unitPrice.amount === 800,
      );
      const body = (await get(token)).body;
      expect(body.items[0]).toMatchObject({
        unitPrice: { amount: 800, currency: "EUR" },
        lineTotal: { amount: 2400, currency: "EUR" },
      });
      expect(body.subtotal).toEqual({ amount: 2400, currency: "EUR" });
    });

    it("shows a ProductUpdated's name and price in the cart", async () => {
      const token = await asUser("rename-watcher");
      const product = await knownProduct(cart.host, { name: "Old name" });
      await add(token, product.productId);
      await untilSeen(
        token,
        [updated(product, { name: "New name", price: { amount: 4321, currency: "EUR" } })],
        (body) => body.items[0]?.name === "New name",
      );
      expect((await get(token)).body.items[0].unitPrice).toEqual({ amount: 4321, currency: "EUR" });
    });

    it("takes a deleted product out of carts and refuses to add it again", async () => {
      const token = await asUser("deletion-watcher");
      const gone = await knownProduct(cart.host, { name: "Gone" });
      const kept = await knownProduct(cart.host, { name: "Kept" });
      await add(token, gone.productId, 2);
      await add(token, kept.productId, 1);
      await publishCatalogEvents(cart.host, [deleted(gone)]);
      const body = (await get(token)).body;
      expect(body.items.map((item: { name: string }) => item.name)).toEqual(["Kept"]);
      expect(body.subtotal.amount).toBe(kept.price.amount);
      expect((await add(token, gone.productId)).status).toBe(404);
      const patched = await call(cart.host, "PATCH", `/api/cart/items/${gone.productId}`, {
        token,
        body: { quantity: 1 },
      });
      expect(patched.status).toBe(404);
    });

    it("ignores a replayed event and an older one arriving after a newer one", async () => {
      const token = await asUser("replay-watcher");
      const base = Date.now();
      const created = at(
        productCreated({ name: "v0", price: { amount: 100, currency: "EUR" } }),
        new Date(base),
      );
      const product = created.detail;
      const first = at(
        updated(product, { name: "v1", price: { amount: 200, currency: "EUR" } }),
        new Date(base + 1),
      );
      const second = at(
        updated(product, { name: "v2", price: { amount: 300, currency: "EUR" } }),
        new Date(base + 2),
      );
      const olderPrice = at(priceChanged(product, 100, 150), new Date(base + 1));
      await publishCatalogEvents(cart.host, [created, first, second]);
      await publishCatalogEvents(cart.host, [first, created, olderPrice, second]);
      await add(token, product.productId);
      expect((await get(token)).body.items[0]).toMatchObject({
        name: "v2",
        unitPrice: { amount: 300, currency: "EUR" },
      });
    });

    it("ends with the newest state whatever order the events arrive in", async () => {
      const token = await asUser("order-watcher");
      const base = Date.now();
      const created = at(
        productCreated({ name: "first", price: { amount: 100, currency: "EUR" } }),
        new Date(base),
      );
      const product = created.detail;
      const renamed = at(updated(product, { name: "renamed" }), new Date(base + 10));
      const repriced = at(priceChanged(product, 100, 250), new Date(base + 20));

      // The price arrives before the product: it is kept, but the product is not sellable yet.
      await publishCatalogEvents(cart.host, [repriced]);
      expect((await add(token, product.productId)).status).toBe(404);
      await publishCatalogEvents(cart.host, [renamed]);
      await publishCatalogEvents(cart.host, [created]);
      expect((await add(token, product.productId)).status).toBe(200);
      expect((await get(token)).body.items[0]).toMatchObject({
        name: "renamed",
        unitPrice: { amount: 250, currency: "EUR" },
      });
    });

    it("keeps a deleted product deleted when older or later updates arrive after the deletion", async () => {
      const token = await asUser("tombstone-watcher");
      const base = Date.now();
      const created = at(productCreated({ name: "doomed" }), new Date(base));
      const product = created.detail;
      const removed = at(deleted(product), new Date(base + 10));
      const late = at(updated(product, { name: "late" }), new Date(base + 5));
      const stray = at(updated(product, { name: "stray" }), new Date(base + 20));
      await publishCatalogEvents(cart.host, [removed]);
      await publishCatalogEvents(cart.host, [created, late, stray]);
      expect((await add(token, product.productId)).status).toBe(404);
    });
  });

  describe("CartItemAdded", () => {
    it("is published through the outbox for every add", async () => {
      const queue = "test-cart-item-added";
      await cart.host.transport.declareQueue({
        name: queue,
        visibilityTimeoutMs: 5_000,
        maxReceiveCount: 3,
        backoff: { baseMs: 10, maxMs: 100 },
      });
      await cart.host.transport.putRule({ name: queue, eventPattern: CartItemAdded.pattern, queue });
      const received: EventEnvelope[] = [];
      const subscription = await cart.host.transport.consume(queue, async (delivery) => {
        received.push(delivery.event);
      });
      try {
        const token = await asUser("event-watcher");
        const product = await knownProduct(cart.host);
        await add(token, product.productId, 2);
        await add(token, product.productId, 3);
        const cartId = (await get(token)).body.id;
        await expect.poll(() => received.length).toBe(2);
        expect(received.map((event) => CartItemAdded.parse(event).detail)).toEqual([
          { cartId, userId: "event-watcher", productId: product.productId, quantity: 2 },
          { cartId, userId: "event-watcher", productId: product.productId, quantity: 3 },
        ]);
        expect(received[0]).toMatchObject({ source: "mercato.cart", "detail-type": "CartItemAdded" });
        expect(received[0]?.metadata["correlation-id"]).toEqual(expect.any(String));
      } finally {
        await subscription.stop();
      }
    });

    it("is not published when the add is refused", async () => {
      const token = await asUser("refused-watcher");
      expect((await add(token, "unknown-product")).status).toBe(404);
      const stats = await cart.host.transport.stats();
      expect(stats.find((queue) => queue.name === "test-cart-item-added")?.depth ?? 0).toBe(0);
    });
  });
});
