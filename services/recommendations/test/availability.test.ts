import { PriceChanged, ProductDeleted, ProductUpdated } from "@mercato/contracts";
import type { TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  at,
  orderOf,
  productCreated,
  products,
  publish,
  shown,
  startRecommendationsHost,
  stockLevel,
  type TestProduct,
} from "./support.ts";

const context = { correlationId: "test" };

describe("what recommendations may show (PGlite, embedded bus)", () => {
  let test: TestHost;
  beforeAll(async () => {
    test = await startRecommendationsHost();
  });
  afterAll(async () => {
    await test?.close();
  });

  const names = async (productId: string) =>
    shown((await test.call("GET", `/api/recommendations?productId=${productId}&limit=100`)).body).map(
      ([name]) => name,
    );
  const item = async (productId: string, name: string) =>
    (await test.call("GET", `/api/recommendations?productId=${productId}&limit=100`)).body.items.find(
      (candidate: { product: { name: string } }) => candidate.product.name === name,
    );
  /** Products bought together once. */
  const bundle = async <const Names extends string[]>(...names: Names) => {
    const bought = await products(test, ...names);
    await publish(test, [orderOf("buyer", bought)]);
    return bought;
  };

  it("never shows a product that ran out of stock, and shows it again once restocked", async () => {
    const [board, wax, leash] = await bundle("Board", "Wax", "Leash");
    await publish(test, [stockLevel(wax.sku, 0)]);
    expect(await names(board.productId)).toEqual(expect.arrayContaining(["Leash"]));
    expect(await names(board.productId)).not.toContain("Wax");
    expect(await names(leash.productId)).not.toContain("Wax");

    await publish(test, [stockLevel(wax.sku, 4)]);
    expect(await names(board.productId)).toContain("Wax");
  });

  it("takes availability from inventory even when its level arrived before the product", async () => {
    const created = productCreated("Fins", { inStock: true });
    await publish(test, [stockLevel(created.detail.sku, 0)]);
    await publish(test, [created]);
    const fins = { productId: created.detail.productId, sku: created.detail.sku, name: "Fins" };
    const [suit] = await products(test, "Suit");
    await publish(test, [orderOf("diver", [suit, fins])]);
    expect(await names(suit.productId)).not.toContain("Fins");
  });

  it("uses the catalog's flag while inventory said nothing about the sku", async () => {
    const created = productCreated("Poster", { inStock: false });
    await publish(test, [created]);
    const [frame] = await products(test, "Frame");
    const poster = { productId: created.detail.productId, sku: created.detail.sku, name: "Poster" };
    await publish(test, [orderOf("decorator", [frame, poster])]);
    expect(await names(frame.productId)).not.toContain("Poster");
  });

  it("never shows a deleted product, and answers 404 for recommendations of one", async () => {
    const [bike, helmet, bell] = await bundle("Bike", "Helmet", "Bell");
    await publish(test, [ProductDeleted.create({ productId: helmet.productId, sku: helmet.sku }, context)]);
    expect(await names(bike.productId)).toContain("Bell");
    expect(await names(bike.productId)).not.toContain("Helmet");

    const gone = await test.call("GET", `/api/recommendations?productId=${helmet.productId}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(gone.body.detail).toBe(`Product ${helmet.productId} does not exist`);

    // A snapshot arriving late does not bring it back.
    await publish(test, [updated(helmet, "Helmet (revived)")]);
    expect(await names(bike.productId)).not.toContain("Helmet (revived)");
    expect(bell).toBeDefined();
  });

  it("follows the catalog's names, prices and images, and never goes back to an older snapshot", async () => {
    const [mug, tea] = await bundle("Mug", "Tea");
    const newer = updated(tea, "Green tea", { image: "/api/products/x/images/1", amount: 450 });
    const older = at(updated(tea, "Black tea", { amount: 300 }), 60_000);
    await publish(test, [newer]);
    await publish(test, [older]);
    expect((await item(mug.productId, "Green tea")).product).toEqual({
      id: tea.productId,
      sku: tea.sku,
      name: "Green tea",
      price: { amount: 450, currency: "EUR" },
      image: "/api/products/x/images/1",
    });

    const raise = PriceChanged.create(
      {
        productId: tea.productId,
        sku: tea.sku,
        oldPrice: { amount: 450, currency: "EUR" },
        newPrice: { amount: 500, currency: "EUR" },
      },
      context,
    );
    await publish(test, [raise]);
    expect((await item(mug.productId, "Green tea")).product.price).toEqual({ amount: 500, currency: "EUR" });
    await publish(test, [
      at(PriceChanged.create({ ...raise.detail, newPrice: { amount: 1, currency: "EUR" } }, context), 60_000),
    ]);
    expect((await item(mug.productId, "Green tea")).product.price).toEqual({ amount: 500, currency: "EUR" });
  });
});

function updated(product: TestProduct, name: string, options: { image?: string; amount?: number } = {}) {
  return ProductUpdated.create(
    {
      productId: product.productId,
      sku: product.sku,
      name,
      description: "",
      category: "tests",
      price: { amount: options.amount ?? 1000, currency: "EUR" },
      attributes: {},
      images: options.image ? [options.image] : [],
      inStock: true,
      changed: ["name"],
    },
    context,
  );
}
