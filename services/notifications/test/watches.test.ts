import { ProductDeleted, ProductUpdated } from "@mercato/contracts";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backInStock,
  type Customer,
  type NotificationsHost,
  priceChanged,
  productCreated,
  startNotifications,
} from "./support.ts";

let host: NotificationsHost;
let skus = 0;

beforeAll(async () => {
  host = await startNotifications();
});

afterAll(async () => {
  await host?.close();
});

/** A product the service knows from a ProductCreated, at 100.00 EUR. */
async function knownProduct(name = "Kettle") {
  skus += 1;
  const created = productCreated({ sku: `WATCH-${skus}`, name, price: 10_000 });
  await host.publish(created);
  const product = { productId: created.detail.productId as string, sku: created.detail.sku as string };
  await expect.poll(() => host.settled()).toBe(true);
  return product;
}

const watch = (customer: Customer, body: unknown) =>
  host.call("POST", "/api/watches", { token: customer.token, body });

const inbox = async (customer: Customer) =>
  (await host.call("GET", "/api/notifications", { token: customer.token })).body.items;

describe("watches", () => {
  it("are created, listed newest first, paged and deleted by their owner only", async () => {
    const ada = await host.customer();
    const bob = await host.customer();
    const kettle = await knownProduct();
    const created = await watch(ada, { productId: kettle.productId, kind: "back-in-stock" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      productId: kettle.productId,
      kind: "back-in-stock",
      targetPrice: null,
      createdAt: expect.any(String),
      firedAt: null,
    });
    const priced = await watch(ada, {
      productId: kettle.productId,
      kind: "price-drop",
      targetPrice: { amount: 8_000, currency: "EUR" },
    });
    expect(priced.status).toBe(201);
    expect(priced.body.targetPrice).toEqual({ amount: 8_000, currency: "EUR" });

    const list = await host.call("GET", "/api/watches", { token: ada.token });
    expect(list.body).toEqual({ items: [priced.body, created.body], nextCursor: null });
    const page = await host.call("GET", "/api/watches?limit=1", { token: ada.token });
    const rest = await host.call("GET", `/api/watches?limit=1&cursor=${page.body.nextCursor}`, {
      token: ada.token,
    });
    expect([...page.body.items, ...rest.body.items]).toEqual(list.body.items);
    expect(rest.body.nextCursor).toBeNull();
    expect((await host.call("GET", "/api/watches", { token: bob.token })).body.items).toEqual([]);

    const foreign = await host.call("DELETE", `/api/watches/${created.body.id}`, { token: bob.token });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-type")).toBe("application/problem+json");
    expect((await host.call("DELETE", `/api/watches/${created.body.id}`, { token: ada.token })).status).toBe(
      204,
    );
    expect((await host.call("DELETE", `/api/watches/${created.body.id}`, { token: ada.token })).status).toBe(
      404,
    );
    expect((await host.call("GET", "/api/watches", { token: ada.token })).body.items).toEqual([priced.body]);
  });

  it("refuses a second watch of the same product and kind, and bad input, changing nothing", async () => {
    const ada = await host.customer();
    const kettle = await knownProduct();
    expect((await watch(ada, { productId: kettle.productId, kind: "price-drop" })).status).toBe(201);
    const again = await watch(ada, {
      productId: kettle.productId,
      kind: "price-drop",
      targetPrice: { amount: 1, currency: "EUR" },
    });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toBe("application/problem+json");

    const cases: [string, unknown, number, string?][] = [
      ["unknown product", { productId: uuidv7(), kind: "price-drop" }, 404],
      ["wrong kind", { productId: kettle.productId, kind: "cheaper" }, 400, "body.kind"],
      ["missing kind", { productId: kettle.productId }, 400, "body.kind"],
      ["missing product", { kind: "price-drop" }, 400, "body.productId"],
      ["number product", { productId: 7, kind: "price-drop" }, 400, "body.productId"],
      [
        "target on back-in-stock",
        { productId: kettle.productId, kind: "back-in-stock", targetPrice: { amount: 1, currency: "EUR" } },
        400,
        "body.targetPrice",
      ],
      [
        "negative target",
        { productId: kettle.productId, kind: "price-drop", targetPrice: { amount: -1, currency: "EUR" } },
        400,
        "body.targetPrice.amount",
      ],
      ["extra field", { productId: kettle.productId, kind: "back-in-stock", colour: "red" }, 400, "body"],
    ];
    for (const [name, body, status, path] of cases) {
      const answer = await watch(ada, body);
      expect(answer.status, name).toBe(status);
      expect(answer.headers.get("content-type"), name).toBe("application/problem+json");
      if (path)
        expect(
          answer.body.errors.map((error: { path: string }) => error.path),
          name,
        ).toContain(path);
    }
    const bob = await host.customer();
    const dollars = await watch(bob, {
      productId: kettle.productId,
      kind: "price-drop",
      targetPrice: { amount: 5_000, currency: "USD" },
    });
    expect(dollars.status).toBe(422);
    const malformed = await host.call("POST", "/api/watches", { token: ada.token, raw: '{"productId":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toMatch(/malformed-json/);
    const huge = await host.call("POST", "/api/watches", {
      token: ada.token,
      body: { productId: kettle.productId, kind: "price-drop", padding: "x".repeat(100_000) },
    });
    expect(huge.status).toBe(413);
    expect((await host.call("POST", "/api/watches", { body: { productId: kettle.productId } })).status).toBe(
      401,
    );
    expect((await host.call("GET", "/api/watches")).status).toBe(401);
    expect((await host.call("DELETE", `/api/watches/${uuidv7()}`)).status).toBe(401);
    expect((await host.call("GET", "/api/watches", { token: bob.token })).body.items).toEqual([]);
    expect((await host.call("GET", "/api/watches", { token: ada.token })).body.items).toHaveLength(1);
  });

  it("price drop below the target notifies once; drops that stay above never do", async () => {
    const ada = await host.customer();
    const carol = await host.customer();
    const kettle = await knownProduct("Kettle <b>deluxe</b>");
    await watch(ada, {
      productId: kettle.productId,
      kind: "price-drop",
      targetPrice: { amount: 8_000, currency: "EUR" },
    });
    await watch(carol, { productId: kettle.productId, kind: "price-drop" });

    await host.publish(priceChanged(kettle, 10_000, 9_000));
    await expect.poll(async () => (await inbox(carol)).length).toBe(1);
    await host.publish(priceChanged(kettle, 9_000, 8_000), priceChanged(kettle, 8_000, 9_500));
    await expect.poll(() => host.settled()).toBe(true);
    expect(await inbox(ada)).toEqual([]);

    const below = priceChanged(kettle, 9_500, 7_999);
    await host.publish(below, below, priceChanged(kettle, 7_999, 5_000));
    await expect.poll(async () => (await inbox(ada)).length).toBe(1);
    await expect.poll(() => host.settled()).toBe(true);
    const [notification] = await inbox(ada);
    expect(notification).toMatchObject({
      type: "price.dropped",
      title: "Price drop: Kettle <b>deluxe</b>",
      body: "Kettle <b>deluxe</b> now costs €79.99 (was €95.00).",
      link: `/products/${kettle.productId}`,
    });
    expect(await inbox(ada)).toHaveLength(1);
    expect(await inbox(carol)).toHaveLength(1);
    const [fired] = (await host.call("GET", "/api/watches", { token: ada.token })).body.items;
    expect(fired.firedAt).not.toBeNull();
  });

  it("fires once even when many drops arrive at once", async () => {
    const ada = await host.customer();
    const kettle = await knownProduct();
    await watch(ada, { productId: kettle.productId, kind: "price-drop" });
    await host.publish(
      ...Array.from({ length: 20 }, (_, step) => priceChanged(kettle, 10_000 - step, 9_999 - step)),
    );
    await expect.poll(() => host.settled()).toBe(true);
    expect(await inbox(ada)).toHaveLength(1);
  });

  it("back in stock notifies once, by the product's sku, with its current name", async () => {
    const ada = await host.customer();
    const kettle = await knownProduct();
    await watch(ada, { productId: kettle.productId, kind: "back-in-stock" });
    const renamed = ProductUpdated.create(
      {
        ...productCreated({ ...kettle, name: "Whistling kettle" }).detail,
        changed: ["name"],
      },
      { correlationId: "rename" },
    );
    await host.publish(renamed, backInStock("UNRELATED-SKU"));
    await expect.poll(() => host.settled()).toBe(true);
    await host.publish(backInStock(kettle.sku), backInStock(kettle.sku));
    await expect.poll(async () => (await inbox(ada)).length).toBe(1);
    await host.publish(backInStock(kettle.sku));
    await expect.poll(() => host.settled()).toBe(true);
    const items = await inbox(ada);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: "back-in-stock", title: "Back in stock: Whistling kettle" });
  });

  it("go with their product when it is deleted; a deleted product cannot be watched", async () => {
    const ada = await host.customer();
    const kettle = await knownProduct();
    await watch(ada, { productId: kettle.productId, kind: "back-in-stock" });
    await host.publish(ProductDeleted.create(kettle, { correlationId: "delete" }));
    await expect
      .poll(async () => (await host.call("GET", "/api/watches", { token: ada.token })).body.items)
      .toEqual([]);
    expect((await watch(ada, { productId: kettle.productId, kind: "price-drop" })).status).toBe(404);
    await host.publish(productCreated({ ...kettle, name: "Late replay" }));
    await expect.poll(() => host.settled()).toBe(true);
    expect((await watch(ada, { productId: kettle.productId, kind: "price-drop" })).status).toBe(404);
  });
});
