import type { TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { learningQueue, products, publish, settled, shown, startRecommendationsHost } from "./support.ts";

describe("the recommendations API (PGlite, embedded bus)", () => {
  let test: TestHost;
  beforeAll(async () => {
    test = await startRecommendationsHost();
  });
  afterAll(async () => {
    await test?.close();
  });

  const view = (productId: string, options: { token?: string; headers?: Record<string, string> } = {}) =>
    test.call("POST", `/api/products/${productId}/views`, options);
  /** What learning has seen: events handled, and views kept for pairing. */
  const learnt = async () => {
    await settled(test);
    const views = await test
      .context("recommendations")
      .db.selectFrom("recent_views")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return { events: (await test.queueStats(learningQueue)).processed, views: Number(views.count) };
  };
  const popularity = async (productId: string) => {
    await settled(test);
    const row = await test
      .context("recommendations")
      .db.selectFrom("products")
      .select("popularity")
      .where("product_id", "=", productId)
      .executeTakeFirstOrThrow();
    return row.popularity;
  };

  function expectProblem(
    answer: { status: number; headers: Headers; body: { status: number } },
    status: number,
  ) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(answer.body.status).toBe(status);
  }

  it("records a view as an event, tied to the user, a session, or no one; each is learnt", async () => {
    const [phone, cover] = await products(test, "Phone", "Cover");
    const token = await test.authority?.token({ id: "viewer-1" });
    const accepted = await view(phone.productId, { token });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ productId: phone.productId, viewer: "user" });
    expect((await view(cover.productId, { token })).status).toBe(202);
    await settled(test);
    const forMe = await test.call("GET", "/api/recommendations/for-me", { token });
    expect(shown(forMe.body)).toEqual(
      expect.arrayContaining([
        ["Cover", "for-you"],
        ["Phone", "for-you"],
      ]),
    );

    const session = { "x-session-id": "storefront-session-42" };
    expect((await view(phone.productId, { headers: session })).body).toEqual({
      productId: phone.productId,
      viewer: "session",
    });
    expect((await view(cover.productId, { headers: session })).status).toBe(202);
    expect((await view(cover.productId)).body).toEqual({ productId: cover.productId, viewer: "anonymous" });
    await settled(test);
    const related = await test.call("GET", `/api/recommendations?productId=${phone.productId}`);
    const coverItem = related.body.items.find(
      (item: { product: { name: string } }) => item.product.name === "Cover",
    );
    expect(coverItem.reason).toBe("viewed-together");
    // One pair from the user, one from the session.
    expect(coverItem.score).toBeCloseTo(2, 1);
    // Cover: the user's view, the session's and the anonymous one.
    expect(await popularity(cover.productId)).toBeGreaterThan(0);
  });

  it("refuses bad input with a problem and learns nothing from it", async () => {
    const [lamp] = await products(test, "Desk lamp");
    const before = { learnt: await learnt(), popularity: await popularity(lamp.productId) };

    expectProblem(await view("not-a-uuid"), 400);
    expectProblem(await view(lamp.productId.toUpperCase()), 400);
    expectProblem(await view("0190a6b4-0000-7000-8000-000000000000"), 404);
    expectProblem(await view(lamp.productId, { headers: { authorization: "Bearer not.a.token" } }), 401);
    expectProblem(await view(lamp.productId, { headers: { authorization: "Basic abc" } }), 401);
    expectProblem(await view(lamp.productId, { headers: { "x-session-id": "short" } }), 400);
    expectProblem(await view(lamp.productId, { headers: { "x-session-id": "has spaces in it" } }), 400);
    expect(await learnt()).toEqual(before.learnt);
    expect(await popularity(lamp.productId)).toBe(before.popularity);

    for (const query of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "limit=2.5",
      "productId=nope",
      "productId=",
      "other=1",
    ]) {
      const answer = await test.call("GET", `/api/recommendations?${query}`);
      expectProblem(answer, 400);
      expect(answer.body.errors?.length ?? 0).toBeGreaterThan(0);
    }
    const unknown = await test.call(
      "GET",
      "/api/recommendations?productId=0190a6b4-0000-7000-8000-000000000000",
    );
    expectProblem(unknown, 404);
    expectProblem(
      await test.call("GET", "/api/recommendations/for-me?limit=0", { token: await test.authority?.token() }),
      400,
    );
  });

  it("answers for-me only to a signed-in user", async () => {
    expectProblem(await test.call("GET", "/api/recommendations/for-me"), 401);
    expectProblem(
      await test.call("GET", "/api/recommendations/for-me", { headers: { authorization: "Bearer x.y.z" } }),
      401,
    );
  });

  it("answers the most popular products without a productId, within the limit", async () => {
    await products(test, "Popular one");
    const answer = await test.call("GET", "/api/recommendations?limit=2");
    expect(answer.status).toBe(200);
    expect(answer.body.items.length).toBeLessThanOrEqual(2);
    expect(new Set(shown(answer.body).map(([, reason]) => reason))).toEqual(new Set(["popular"]));
    await publish(test, []);
  });
});
