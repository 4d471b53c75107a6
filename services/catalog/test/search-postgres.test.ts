import { requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CatalogHost, startCatalog } from "./catalog-host.ts";

const hasPostgres = await requireServer("postgres");

/** The same migrations and queries on PostgreSQL: full-text search, trigrams, keyset pages, sku conflicts. */
describe.skipIf(!hasPostgres)("catalog on PostgreSQL", () => {
  let catalog: CatalogHost;

  const call = async (method: string, path: string, json?: unknown) => {
    const response = await fetch(`${catalog.host.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${catalog.adminToken}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
    return { status: response.status, body: (await response.json()) as any };
  };
  const product = (sku: string, name: string, amount: number, description = "") => ({
    sku,
    name,
    description,
    category: "Audio",
    price: { amount, currency: "EUR" },
  });

  beforeAll(async () => {
    catalog = await startCatalog({ postgres: true });
    const products = [
      product("PG-1", "Studio Headphones", 12900, "Closed-back headphones."),
      product("PG-2", "Headphone Stand", 2900, "Holds your headphones."),
      product("PG-3", "Bluetooth Speaker", 7900),
      ...Array.from({ length: 9 }, (_, i) => product(`PG-W${i}`, `Widget ${i}`, 1000 + (i % 3))),
    ];
    for (const body of products) expect((await call("POST", "/api/products", body)).status).toBe(201);
  });

  afterAll(async () => {
    await catalog?.close();
  });

  it("ranks, tolerates typos and pages as on PGlite", async () => {
    const ranked = await call("GET", "/api/products?q=headphones");
    expect(ranked.body.items.map((item: { name: string }) => item.name)).toEqual([
      "Studio Headphones",
      "Headphone Stand",
    ]);
    const typo = await call("GET", "/api/products?q=hedphones");
    expect(typo.body.items[0].name).toBe("Studio Headphones");

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        "GET",
        `/api/products?q=widget&sort=price_asc&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(9);
    expect(seen).toHaveLength(9);
  });

  it("answers 409 for a taken sku and 404 for a malformed id", async () => {
    expect((await call("POST", "/api/products", product("PG-1", "Again", 100))).status).toBe(409);
    expect((await call("GET", "/api/products/not-a-uuid")).status).toBe(404);
  });
});
