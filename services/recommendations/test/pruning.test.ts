import { ProductDeleted } from "@mercato/contracts";
import type { ServiceContext } from "@mercato/platform";
import type { TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecommendationsSettings } from "../src/settings.ts";
import type { RecommendationsTables } from "../src/store/tables.ts";
import { pruning } from "../src/tasks/pruning.ts";
import { at, orderOf, products, publish, startRecommendationsHost, viewOf } from "./support.ts";

type RecommendationsContext = ServiceContext<RecommendationsTables, RecommendationsSettings>;

describe("what learning keeps (PGlite, embedded bus)", () => {
  let test: TestHost;
  beforeAll(async () => {
    test = await startRecommendationsHost({ settings: { neighbours: 2, userHistory: 3 } });
  });
  afterAll(async () => {
    await test?.close();
  });

  const context = () => test.context<RecommendationsTables>("recommendations") as RecommendationsContext;
  const neighboursOf = async (productId: string) =>
    (
      await context()
        .db.selectFrom("neighbours")
        .select("neighbour_id")
        .where("product_id", "=", productId)
        .orderBy("score", "desc")
        .execute()
    ).map((row: { neighbour_id: string }) => row.neighbour_id);
  const historyOf = async (userId: string) =>
    (
      await context()
        .db.selectFrom("user_items")
        .select("product_id")
        .where("user_id", "=", userId)
        .orderBy("last_at", "desc")
        .execute()
    ).map((row: { product_id: string }) => row.product_id);

  it("keeps each product's best neighbours, each user's latest products and the views of the window", async () => {
    const [hub, a, b, c, d] = await products(test, "Hub", "A", "B", "C", "D");
    await publish(test, [orderOf("u1", [hub, a, b, c, d]), orderOf("u2", [hub, a]), orderOf("u3", [hub, b])]);
    const views = [a, b, c, d].map((product, index) =>
      at(viewOf(product, { userId: "walker" }), (4 - index) * 1000),
    );
    await publish(test, [at(viewOf(hub, { sessionId: "old-session" }), 40 * 60_000), ...views]);
    expect(await neighboursOf(hub.productId)).toHaveLength(4);

    await pruning.run(context());

    expect((await neighboursOf(hub.productId)).sort()).toEqual([a.productId, b.productId].sort());
    expect(await neighboursOf(a.productId)).toHaveLength(2);
    expect(await historyOf("walker")).toEqual([d.productId, c.productId, b.productId]);
    const sessions = await context().db.selectFrom("recent_views").select("viewer").distinct().execute();
    expect(sessions.map((row: { viewer: string }) => row.viewer)).toEqual(["user:walker"]);

    // A deleted product leaves every list it was in.
    await publish(test, [
      ProductDeleted.create({ productId: b.productId, sku: b.sku }, { correlationId: "test" }),
    ]);
    await pruning.run(context());
    expect(await neighboursOf(hub.productId)).toEqual([a.productId]);
    expect(await neighboursOf(b.productId)).toEqual([]);
    expect(await historyOf("walker")).toEqual([d.productId, c.productId]);

    // Recommendations still answer from what is left.
    const answer = await test.call("GET", `/api/recommendations?productId=${hub.productId}&limit=2`);
    expect(answer.body.items[0]).toMatchObject({ product: { name: "A" }, reason: "bought-together" });
    expect(answer.body.items.map((item: { product: { name: string } }) => item.product.name)).not.toContain(
      "B",
    );
  });
});
