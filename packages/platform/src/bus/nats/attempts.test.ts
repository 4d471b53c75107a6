import { describe, expect, it } from "vitest";
import { completeAttempts } from "./attempts.ts";

describe("completeAttempts", () => {
  it("keeps recorded failures and fills every receive without one with a visibility timeout", () => {
    const now = new Date("2030-01-01T00:00:00.000Z");
    const recorded = [{ receive: 2, at: "2029-12-31T23:59:59.000Z", error: "boom" }];

    expect(completeAttempts(recorded, 3, 500, now)).toEqual([
      {
        receive: 1,
        at: now.toISOString(),
        error: "no acknowledgement within the visibility timeout of 500 ms",
      },
      recorded[0],
      {
        receive: 3,
        at: now.toISOString(),
        error: "no acknowledgement within the visibility timeout of 500 ms",
      },
    ]);
    expect(completeAttempts(recorded, 2, 500, now)).toHaveLength(2);
    expect(completeAttempts([], 0, 500, now)).toEqual([]);
  });
});
