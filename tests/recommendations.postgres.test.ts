import { createTestAuthority, requireServer, type TestAuthority } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import { buy, forMe, learnt, related, shown, view } from "./support/recommendations.ts";
import { distributedShop, type ShopClient } from "./support/shop.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

const name = (sku: string) => `Product ${sku}`;

/**
 * Recommendations learn on PostgreSQL and NATS JetStream as they do embedded: from the events of
 * real checkouts and views, with concurrent buyers adding to the same counters at once.
 */
describe.runIf(available)("recommendations on PostgreSQL and NATS", () => {
  let auth: TestAuthority;
  let client: ShopClient;
  const shop = distributedShop(
    "recs",
    selectServices(["catalog", "inventory", "cart", "orders", "payments", "recommendations"]),
  );

  beforeAll(async () => {
    auth = await createTestAuthority();
    client = (await shop.start(auth)).client;
  });

  afterAll(() => shop.close());

  it("learns bought together from concurrent checkouts without losing a count, then personal and stock changes", async () => {
    const kayak = await client.stockedProduct({ sku: "PGREC-KAYAK", price: 50_000, onHand: 100 });
    const paddle = await client.stockedProduct({ sku: "PGREC-PADDLE", price: 5_000, onHand: 100 });
    const vest = await client.stockedProduct({ sku: "PGREC-VEST", price: 7_000, onHand: 100 });
    const buyers = 8;
    await Promise.all(
      Array.from({ length: buyers }, async () => buy(client, await auth.token(), [kayak.id, paddle.id])),
    );
    await buy(client, await auth.token(), [kayak.id, vest.id]);

    await expect
      .poll(async () => learnt(await related(client, kayak.id)))
      .toEqual([
        [name("PGREC-PADDLE"), "bought-together"],
        [name("PGREC-VEST"), "bought-together"],
      ]);
    // Three points per order holding both: every concurrent order counted exactly once.
    await expect
      .poll(async () => (await related(client, kayak.id)).items[0].score)
      .toBeCloseTo(3 * buyers, 1);

    const paddler = await auth.token();
    await view(client, paddle.id, paddler);
    await expect
      .poll(async () => learnt(await forMe(client, paddler)))
      .toEqual([[name("PGREC-KAYAK"), "for-you"]]);

    const admin = await auth.token({ roles: ["admin"] });
    const stocked = await client.call("PUT", "/api/inventory/PGREC-PADDLE", {
      token: admin,
      body: { onHand: 0 },
    });
    expect(stocked.status).toBe(200);
    await expect
      .poll(async () => shown(await related(client, kayak.id)).map(([productName]) => productName))
      .not.toContain(name("PGREC-PADDLE"));
  });
});
