import { type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import { expect, it } from "vitest";
import {
  call,
  describeOnEveryTopology,
  knownProduct,
  productCreated,
  publishCatalogEvents,
  queueDrained,
} from "./cart-host.ts";

const stockQueue = "cart-stock-levels";

/**
 * Cart lines tell what inventory last said is available and flag a quantity beyond it, so the
 * customer learns before checking out that the order would be rejected out_of_stock.
 */
describeOnEveryTopology("stock in the cart on $name", (cart) => {
  const asUser = async (id: string) => cart.authority.token({ id });
  const lines = async (token: string) => {
    const answer = await call(cart.host, "GET", "/api/cart", { token });
    expect(answer.status).toBe(200);
    return answer.body.items as { productId: string; available: number | null; exceedsStock: boolean }[];
  };
  const add = (token: string, productId: string, quantity: number) =>
    call(cart.host, "POST", "/api/cart/items", { token, body: { productId, quantity } });

  function level(sku: string, availableUnits: number, time?: Date): EventEnvelope {
    const event = StockLevelChanged.create(
      { sku, onHand: availableUnits, reserved: 0, available: availableUnits },
      { correlationId: "test" },
    );
    return time ? { ...event, time: time.toISOString() } : event;
  }

  /** Publishes inventory's events and waits until the cart has handled them all. */
  async function publishStock(events: EventEnvelope[]): Promise<void> {
    await cart.host.transport.publish(events);
    await expect.poll(() => queueDrained(cart.host, stockQueue), { interval: 10 }).toBe(true);
  }

  it("shows what is available on each line and flags a quantity beyond it", async () => {
    const token = await asUser("stock-reader");
    const lamp = await knownProduct(cart.host);
    const added = await add(token, lamp.productId, 4);
    expect(added.body.items[0]).toMatchObject({ quantity: 4, available: null, exceedsStock: false });

    await publishStock([level(lamp.sku, 3)]);
    const [short] = await lines(token);
    expect(short).toMatchObject({ productId: lamp.productId, available: 3, exceedsStock: true });

    const patched = await call(cart.host, "PATCH", `/api/cart/items/${lamp.productId}`, {
      token,
      body: { quantity: 3 },
    });
    expect(patched.body.items[0]).toMatchObject({ quantity: 3, available: 3, exceedsStock: false });

    await publishStock([level(lamp.sku, 0)]);
    expect((await lines(token))[0]).toMatchObject({ available: 0, exceedsStock: true });
  });

  it("keeps the newest level when an older event arrives late", async () => {
    const token = await asUser("stock-late");
    const kettle = await knownProduct(cart.host);
    await add(token, kettle.productId, 2);
    const now = Date.now();
    const newer = level(kettle.sku, 1, new Date(now));
    await publishStock([newer, level(kettle.sku, 10, new Date(now - 60_000))]);
    expect((await lines(token))[0]).toMatchObject({ available: 1, exceedsStock: true });
  });

  it("keeps a level that arrived before its product, and changes no cart's revision", async () => {
    const token = await asUser("stock-early");
    const product = productCreated();
    await publishStock([level(product.detail.sku, 5)]);
    await publishCatalogEvents(cart.host, [product]);
    const added = await add(token, product.detail.productId, 6);
    expect(added.body.items[0]).toMatchObject({ available: 5, exceedsStock: true });

    await publishStock([level(product.detail.sku, 8)]);
    const after = await call(cart.host, "GET", "/api/cart", { token });
    expect(after.body.items[0]).toMatchObject({ available: 8, exceedsStock: false });
    expect(after.body.revision).toBe(added.body.revision);
  });
});
