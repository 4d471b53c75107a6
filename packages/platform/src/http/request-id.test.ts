import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { correlationIdOf, requestIdOf, requestUuid } from "./request-id.ts";

describe("requestUuid", () => {
  it("makes RFC 9562 version 7 UUIDs that carry the current millisecond", () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, () => requestUuid());
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const millis = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(millis).toBeGreaterThanOrEqual(before);
      expect(millis).toBeLessThanOrEqual(after);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("requestIdOf and correlationIdOf", () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it("take sane client tokens and replace anything else", () => {
    expect(requestIdOf(request({ "x-request-id": "abc-1.2:3_4" }))).toBe("abc-1.2:3_4");
    expect(requestIdOf(request({ "x-request-id": "" }))).not.toBe("");
    expect(requestIdOf(request({ "x-request-id": "a\nb" }))).not.toContain("\n");
    expect(correlationIdOf({ "x-correlation-id": "order-9" }, "req-1")).toBe("order-9");
    expect(correlationIdOf({ "x-correlation-id": "bad value" }, "req-1")).toBe("req-1");
    expect(correlationIdOf({}, "req-1")).toBe("req-1");
  });
});
