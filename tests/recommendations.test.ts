import { beforeAll, expect, it } from "vitest";
import { buy, forMe, learnt, related, shown, view } from "./support/recommendations.ts";
import type { Body, ShopClient } from "./support/shop.ts";
import { describeOnBothTopologies } from "./support/topologies.ts";

const name = (sku: string) => `Product ${sku}`;

/**
 * Recommendations end to end over HTTP: learnt from real checkouts, views and cart adds as their
 * events arrive, answered through the gateway; embedded and distributed, the same assertions.
 */
describeOnBothTopologies("recommendations", (shop) => {
  let client: ShopClient;
  const product: Record<string, { id: string; sku: string }> = {};

  beforeAll(() => {
    client = shop().client;
  });

  const id = (sku: string) => product[sku]?.id ?? "";
  const customer = async () => (await client.register()).token;

  it("recommends what was bought together once a few orders are confirmed", async () => {
    // Every test of this file goes on with these products and what this one taught.
    for (const sku of ["REC-CAMERA", "REC-LENS", "REC-STRAP", "REC-NOVEL", "REC-COOKBOOK", "REC-TEA"]) {
      product[sku] = await client.stockedProduct({ sku, price: 1500, onHand: 50 });
    }
    await buy(client, await customer(), [id("REC-CAMERA"), id("REC-LENS")]);
    await buy(client, await customer(), [id("REC-CAMERA"), id("REC-LENS")]);
    await buy(client, await customer(), [id("REC-CAMERA"), id("REC-STRAP")]);
    await buy(client, await customer(), [id("REC-NOVEL"), id("REC-COOKBOOK")]);

    await expect
      .poll(async () => learnt(await related(client, id("REC-CAMERA"))))
      .toEqual([
        [name("REC-LENS"), "bought-together"],
        [name("REC-STRAP"), "bought-together"],
      ]);
    const answer = await related(client, id("REC-CAMERA"));
    expect(answer.items[0]).toMatchObject({
      product: {
        id: id("REC-LENS"),
        sku: "REC-LENS",
        name: name("REC-LENS"),
        price: { amount: 1500, currency: "EUR" },
      },
      reason: "bought-together",
      basedOn: id("REC-CAMERA"),
    });
    expect(answer.items[0].score).toBeGreaterThan(answer.items[1].score);
    expect(answer.items.map((item: Body) => item.product.id)).not.toContain(id("REC-CAMERA"));
  });

  it("personalises for-me: two customers with different histories get different products", async () => {
    const photographer = await customer();
    const reader = await customer();
    await view(client, id("REC-CAMERA"), photographer);
    await view(client, id("REC-NOVEL"), reader);

    await expect
      .poll(async () => learnt(await forMe(client, photographer)))
      .toEqual(expect.arrayContaining([[name("REC-LENS"), "for-you"]]));
    await expect
      .poll(async () => learnt(await forMe(client, reader)))
      .toEqual(expect.arrayContaining([[name("REC-COOKBOOK"), "for-you"]]));
    const photos = learnt(await forMe(client, photographer)).map(([productName]) => productName);
    const books = learnt(await forMe(client, reader)).map(([productName]) => productName);
    expect(photos).not.toContain(name("REC-COOKBOOK"));
    expect(books).not.toContain(name("REC-LENS"));

    // What a customer puts in their cart is no longer offered to them.
    await client.addToCart(photographer, id("REC-LENS"), 1);
    await expect
      .poll(async () => shown(await forMe(client, photographer)).map(([productName]) => productName))
      .not.toContain(name("REC-LENS"));
  });

  it("answers popular products to a customer with no history", async () => {
    const answer = await forMe(client, await customer());
    expect(answer.items.length).toBeGreaterThan(0);
    expect(new Set(shown(answer).map(([, reason]) => reason))).toEqual(new Set(["popular"]));
  });

  it("never recommends an out-of-stock or a deleted product", async () => {
    const admin = await client.adminToken();
    const camera = id("REC-CAMERA");
    const names = async () => shown(await related(client, camera)).map(([productName]) => productName);
    expect(await names()).toContain(name("REC-STRAP"));

    expect(
      (await client.call("PUT", "/api/inventory/REC-STRAP", { token: admin, body: { onHand: 0 } })).status,
    ).toBe(200);
    await expect.poll(names).not.toContain(name("REC-STRAP"));
    expect(
      (await client.call("PUT", "/api/inventory/REC-STRAP", { token: admin, body: { onHand: 5 } })).status,
    ).toBe(200);
    await expect.poll(names).toContain(name("REC-STRAP"));

    expect((await client.call("DELETE", `/api/products/${id("REC-LENS")}`, { token: admin })).status).toBe(
      204,
    );
    await expect.poll(names).not.toContain(name("REC-LENS"));
    const gone = await client.call("GET", `/api/recommendations?productId=${id("REC-LENS")}`);
    expect(gone.status).toBe(404);
    const popular = await client.call("GET", "/api/recommendations?limit=100");
    expect(popular.body.items.map((item: Body) => item.product.id)).not.toContain(id("REC-LENS"));
  });

  it("refuses bad input with a problem and learns nothing from it", async () => {
    const tea = id("REC-TEA");
    const teaScore = async () => {
      const answer = await client.call("GET", "/api/recommendations?limit=100");
      return answer.body.items.find((item: Body) => item.product.id === tea)?.score ?? 0;
    };
    const before = await teaScore();
    const problems = [
      await client.call("GET", "/api/recommendations?limit=0"),
      await client.call("GET", "/api/recommendations?limit=101"),
      await client.call("GET", `/api/recommendations?productId=${tea}&limit=many`),
      await client.call("GET", "/api/recommendations?productId=not-a-uuid"),
      await client.call("GET", "/api/recommendations?productId=0190a6b4-0000-7000-8000-000000000000"),
      await client.call("GET", "/api/recommendations/for-me"),
      await client.call("GET", "/api/recommendations/for-me", { headers: { authorization: "Bearer x.y.z" } }),
      await client.call("POST", "/api/products/not-a-uuid/views"),
      await client.call("POST", "/api/products/0190a6b4-0000-7000-8000-000000000000/views"),
      await client.call("POST", `/api/products/${tea}/views`, { headers: { authorization: "Bearer x.y.z" } }),
      await client.call("POST", `/api/products/${tea}/views`, { headers: { "x-session-id": "?" } }),
    ];
    expect(problems.map((answer) => answer.status)).toEqual([
      400, 400, 400, 400, 404, 401, 401, 400, 404, 401, 400,
    ]);
    for (const answer of problems) {
      expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(answer.body.detail).toEqual(expect.any(String));
    }

    // A good view after the bad ones: once it is learnt, tea counts exactly one view more.
    await view(client, tea);
    await expect.poll(teaScore).toBeGreaterThan(before);
    expect(await teaScore()).toBeCloseTo(before + 1, 2);
  });
});
