import { describe, expect, it } from "vitest";
import { decayEpochMs, decayedAt, decayWeight } from "../src/domain/decay.ts";
import { withPopular } from "../src/domain/recommendation.ts";
import {
  pairedProductsOf,
  pairReason,
  pairsWith,
  pairsWithin,
  viewerOf,
  viewLesson,
} from "../src/domain/signals.ts";

const day = 24 * 60 * 60_000;
const money = (amount: number) => ({ amount, currency: "EUR" });

describe("forward decay", () => {
  it("halves evidence every half-life without rewriting what was stored", () => {
    const halfLife = 14 * day;
    const seen = decayEpochMs + 100 * day;
    expect(decayedAt(decayWeight(seen, halfLife), seen, halfLife)).toBe(1);
    expect(decayedAt(decayWeight(seen, halfLife), seen + halfLife, halfLife)).toBe(0.5);
    const twoOldOneNew = 2 * decayWeight(seen, halfLife) + decayWeight(seen + 2 * halfLife, halfLife);
    expect(decayedAt(twoOldOneNew, seen + 2 * halfLife, halfLife)).toBe(1.5);
  });
});

describe("what events teach", () => {
  it("pairs every two products of an order both ways, in key order", () => {
    const pairs = pairsWithin(["b", "a", "c", "a"], { bought: 2 });
    expect(pairs.map((pair) => `${pair.productId}>${pair.neighbourId}`)).toEqual([
      "a>b",
      "a>c",
      "b>a",
      "b>c",
      "c>a",
      "c>b",
    ]);
    expect(pairs[0]).toEqual({ productId: "a", neighbourId: "b", bought: 2, viewed: 0, score: 6 });
  });

  it("pairs a view only with the other products of the window", () => {
    const pairs = pairsWith("x", ["y", "z", "x"], { viewed: 1 });
    expect(pairs.map((pair) => `${pair.productId}>${pair.neighbourId}`)).toEqual([
      "x>y",
      "x>z",
      "y>x",
      "z>x",
    ]);
    expect(pairs[0]?.score).toBe(1);
  });

  it("pairs only an order's largest lines", () => {
    const items = Array.from({ length: 12 }, (_, index) => ({
      productId: `p${index}`,
      lineTotal: money(index),
    }));
    const paired = pairedProductsOf(items);
    expect(paired).toHaveLength(10);
    expect(paired).not.toContain("p0");
    expect(paired).not.toContain("p1");
  });

  it("counts a view once per window", () => {
    expect(viewLesson("a", ["b", "c"])).toEqual({ counts: true, pairedWith: ["b", "c"] });
    expect(viewLesson("a", ["b", "a"])).toEqual({ counts: false, pairedWith: [] });
  });

  it("knows viewers by user first, then session", () => {
    expect(viewerOf({ userId: "u", sessionId: "s" })).toBe("user:u");
    expect(viewerOf({ sessionId: "s" })).toBe("session:s");
    expect(viewerOf({})).toBeUndefined();
  });

  it("gives the evidence that weighs more as the reason", () => {
    expect(pairReason(1, 3)).toBe("bought-together");
    expect(pairReason(1, 4)).toBe("viewed-together");
    expect(pairReason(0, 1)).toBe("viewed-together");
  });

  it("fills with popular products not already shown", () => {
    const item = (id: string, reason: "for-you" | "popular") => ({
      product: { id, sku: id, name: id, price: money(1), image: null },
      score: 1,
      reason,
      basedOn: null,
    });
    const filled = withPopular(
      [item("a", "for-you")],
      [item("a", "popular"), item("b", "popular"), item("c", "popular")],
      2,
    );
    expect(filled.map((entry) => [entry.product.id, entry.reason])).toEqual([
      ["a", "for-you"],
      ["b", "popular"],
    ]);
  });
});
