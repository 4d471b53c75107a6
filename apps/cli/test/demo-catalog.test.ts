import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CatalogHost, startCatalog } from "../../../services/catalog/test/catalog-host.ts";
import { demoProducts } from "../src/seed/demo-catalog.ts";
import { demoImagePng } from "../src/seed/demo-image.ts";

/** The seed data that `mercato start` loads; moved here from catalog's tests with the data. */
let catalog: CatalogHost;

beforeAll(async () => {
  catalog = await startCatalog();
});

afterAll(async () => {
  await catalog?.close();
});

async function call(method: string, path: string, options: { token: string; json: unknown }) {
  const response = await fetch(`${catalog.host.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
    body: JSON.stringify(options.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : text };
}

const admin = () => ({ token: catalog.adminToken });

describe("demo catalog", () => {
  it("has at least 200 valid products in at least 8 categories, the same on every call", async () => {
    const products = demoProducts();
    expect(products.length).toBeGreaterThanOrEqual(200);
    expect(new Set(products.map((product) => product.category)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(products.map((product) => product.sku)).size).toBe(products.length);
    expect(products.some((product) => product.initialStock === 0)).toBe(true);
    expect(products.every((product) => product.initialStock >= 0 && product.initialStock <= 120)).toBe(true);
    expect(demoProducts()).toEqual(products);

    const [first] = products;
    if (!first) throw new Error("the demo catalog is empty");
    const { initialStock: _stock, ...body } = first;
    const created = await call("POST", "/api/products", { ...admin(), json: body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const png = demoImagePng(first);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});
