import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.ts";

const backoff = { baseMs: 100, maxMs: 1_000 };

describe("retryDelayMs", () => {
  it("draws the delay between 0 and a ceiling that doubles with each receive", () => {
    expect([1, 2, 3, 4].map((receiveCount) => retryDelayMs(receiveCount, backoff, () => 0.999_999))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(retryDelayMs(3, backoff, () => 0)).toBe(0);
    expect(retryDelayMs(3, backoff, () => 0.5)).toBe(200);
  });

  it("never exceeds maxMs", () => {
    expect(retryDelayMs(5, backoff, () => 0.999_999)).toBe(1_000);
    expect(retryDelayMs(60, backoff, () => 0.999_999)).toBe(1_000);
  });

  it("uses Math.random by default", () => {
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(2, backoff);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });
});
