import type { TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  at,
  cartAdd,
  learningQueue,
  orderOf,
  products,
  publish,
  shown,
  startRecommendationsHost,
  viewOf,
} from "./support.ts";

const minute = 60_000;

describe("recommendations learnt from events (PGlite, embedded bus)", () => {
  let test: TestHost;
  beforeAll(async () => {
    test = await startRecommendationsHost();
  });
  afterAll(async () => {
    await test?.close();
  });

  const related = async (productId: string) =>
    (await test.call("GET", `/api/recommendations?productId=${productId}&limit=100`)).body;
  const forMe = async (userId: string) => {
    const token = await test.authority?.token({ id: userId });
    const answer = await test.call("GET", "/api/recommendations/for-me?limit=100", { token });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const relatedOnly = async (productId: string) =>
    shown(await related(productId)).filter(([, reason]) => reason !== "popular");

  it("recommends what was bought together, best first, with the evidence as score", async () => {
    const [camera, strap, lens, tripod] = await products(test, "Camera", "Strap", "Lens", "Tripod");
    await publish(test, [
      orderOf("ann", [camera, strap, lens]),
      orderOf("bob", [camera, lens]),
      orderOf("cy", [strap, tripod]),
    ]);

    const answer = await test.call("GET", `/api/recommendations?productId=${camera.productId}`);
    expect(answer.status).toBe(200);
    expect(shown(answer.body).slice(0, 2)).toEqual([
      ["Lens", "bought-together"],
      ["Strap", "bought-together"],
    ]);
    const [lensItem, strapItem] = answer.body.items;
    // Three points per order holding both (README: bought together weighs three views together).
    expect(lensItem.score).toBeCloseTo(6, 2);
    expect(strapItem.score).toBeCloseTo(3, 2);
    expect(lensItem.basedOn).toBe(camera.productId);
    expect(lensItem.product).toEqual({
      id: lens.productId,
      sku: lens.sku,
      name: "Lens",
      price: { amount: 1000, currency: "EUR" },
      image: null,
    });
    // Tripod was never bought with the camera: it comes only as popular, after the neighbours.
    expect(shown(answer.body).slice(2)).toContainEqual(["Tripod", "popular"]);
    expect(answer.body.items.map((item: { product: { id: string } }) => item.product.id)).not.toContain(
      camera.productId,
    );
  });

  it("pairs products one viewer looked at within 30 minutes, once however often they look again", async () => {
    const [tent, stove, mat, lamp] = await products(test, "Tent", "Stove", "Mat", "Lamp");
    const session = { sessionId: "session-tent-1" };
    await publish(test, [at(viewOf(tent, session), 20 * minute)]);
    await publish(test, [at(viewOf(stove, session), 10 * minute)]);
    // Back and forth between the two: reloads, not new evidence.
    await publish(test, [at(viewOf(tent, session), 9 * minute), at(viewOf(stove, session), 8 * minute)]);
    await publish(test, [viewOf(mat, session)]);
    // An hour later in another session of the same visitor: lamp pairs with nothing of this one.
    await publish(test, [at(viewOf(lamp, { sessionId: "session-tent-2" }), 0)]);

    expect(await relatedOnly(tent.productId)).toEqual([
      ["Mat", "viewed-together"],
      ["Stove", "viewed-together"],
    ]);
    const stoveItem = (await related(tent.productId)).items.find(
      (item: { product: { name: string } }) => item.product.name === "Stove",
    );
    expect(stoveItem.score).toBeCloseTo(1, 1);
    expect(await relatedOnly(lamp.productId)).toEqual([]);
  });

  it("does not pair views further apart than the window", async () => {
    const [kettle, teapot] = await products(test, "Kettle", "Teapot");
    const session = { sessionId: "session-kettle" };
    await publish(test, [at(viewOf(kettle, session), 45 * minute), viewOf(teapot, session)]);
    expect(await relatedOnly(kettle.productId)).toEqual([]);
  });

  it("gives the stronger evidence as reason: bought together outweighs viewed together", async () => {
    const [desk, chair, monitor] = await products(test, "Desk", "Chair", "Monitor");
    await publish(test, [orderOf("dee", [desk, chair])]);
    for (const sessionId of ["s-desk-1", "s-desk-2"]) {
      await publish(test, [viewOf(desk, { sessionId }), viewOf(monitor, { sessionId })]);
    }
    expect(await relatedOnly(desk.productId)).toEqual([
      ["Chair", "bought-together"],
      ["Monitor", "viewed-together"],
    ]);
  });

  it("counts a redelivered event once", async () => {
    const [pen, ink] = await products(test, "Pen", "Ink");
    const order = orderOf("eve", [pen, ink]);
    await publish(test, [order]);
    const before = (await test.queueStats(learningQueue)).processed;
    await publish(test, [order]);
    await publish(test, [order]);
    expect((await test.queueStats(learningQueue)).processed - before).toBe(2);
    const inkItem = (await related(pen.productId)).items[0];
    expect([inkItem.product.name, inkItem.reason]).toEqual(["Ink", "bought-together"]);
    expect(inkItem.score).toBeCloseTo(3, 2);
  });

  it("personalises for-me from the user's views, cart adds and orders, never offering what they bought or carted", async () => {
    const [guitar, picks, strings, drum, sticks, cymbal] = await products(
      test,
      "Guitar",
      "Picks",
      "Strings",
      "Drum",
      "Sticks",
      "Cymbal",
    );
    await publish(test, [
      orderOf("band-1", [guitar, picks, strings]),
      orderOf("band-2", [drum, sticks, cymbal]),
    ]);
    await publish(test, [viewOf(guitar, { userId: "gil" }), cartAdd("gil", picks)]);
    await publish(test, [orderOf("dan", [drum])]);

    const gil = await forMe("gil");
    const gilPersonal = shown(gil).filter(([, reason]) => reason === "for-you");
    expect(gilPersonal.map(([name]) => name).sort()).toEqual(["Guitar", "Strings"]);
    expect(shown(gil).map(([name]) => name)).not.toContain("Picks");
    const strings_ = gil.items.find((item: { product: { name: string } }) => item.product.name === "Strings");
    expect([guitar.productId, picks.productId]).toContain(strings_.basedOn);

    const dan = await forMe("dan");
    expect(
      shown(dan)
        .filter(([, reason]) => reason === "for-you")
        .map(([name]) => name)
        .sort(),
    ).toEqual(["Cymbal", "Sticks"]);
    expect(shown(dan).map(([name]) => name)).not.toContain("Drum");
  });

  it("answers popular products to a user with no history", async () => {
    const answer = await forMe("newcomer");
    expect(answer.items.length).toBeGreaterThan(0);
    expect(new Set(shown(answer).map(([, reason]) => reason))).toEqual(new Set(["popular"]));
    expect(answer.items.map((item: { basedOn: string | null }) => item.basedOn)).toEqual(
      answer.items.map(() => null),
    );
    const scores = answer.items.map((item: { score: number }) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});
