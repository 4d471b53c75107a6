import { describe, expect, it } from "vitest";
import { cartVersionOf } from "../src/domain/cart-version.ts";

describe("a cart version", () => {
  const pen = { productId: "pen", quantity: 2 };
  const ink = { productId: "ink", quantity: 1 };

  it("is the same for the same revision and lines, in any order and at any price", () => {
    expect(cartVersionOf(4, [pen, ink])).toBe(cartVersionOf(4, [ink, pen]));
    expect(cartVersionOf(4, [{ ...pen, unitPrice: 100 } as typeof pen])).toBe(cartVersionOf(4, [pen]));
  });

  it("changes with the revision, a quantity or a line", () => {
    const versions = [
      cartVersionOf(4, [pen, ink]),
      cartVersionOf(5, [pen, ink]),
      cartVersionOf(4, [{ ...pen, quantity: 3 }, ink]),
      cartVersionOf(4, [pen]),
    ];
    expect(new Set(versions).size).toBe(versions.length);
  });
});
