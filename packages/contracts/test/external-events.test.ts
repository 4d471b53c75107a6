import { testEventPattern } from "@mercato/platform/patterns";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineExternalEvent } from "../src/external-event-type.ts";
import { allExternalEventTypes, EventValidationError, MarketplaceOrderPlaced } from "../src/index.ts";

const Counted = defineExternalEvent({
  sourcePrefixes: ["shop.", "partner."],
  detailType: "Shelf Counted",
  description: "test",
  detail: z.object({ units: z.number().int() }),
});

describe("event types received from other systems", () => {
  it("match any source with one of their prefixes and their detail-type, by pattern and by is()", () => {
    const good = Counted.create({ units: 3 }, { correlationId: "c", source: "shop.north" });
    expect(good).toMatchObject({
      source: "shop.north",
      "detail-type": "Shelf Counted",
      detail: { units: 3 },
    });
    for (const source of ["shop.north", "partner.x", "shop."]) {
      const event = { ...good, source };
      expect(Counted.is(event), source).toBe(true);
      expect(testEventPattern(Counted.pattern, event), source).toBe(true);
    }
    for (const event of [
      { ...good, source: "shopping.x" },
      { ...good, source: "mercato.shop" },
      { ...good, "detail-type": "Shelf counted" },
    ]) {
      expect(Counted.is(event)).toBe(false);
      expect(testEventPattern(Counted.pattern, event)).toBe(false);
    }
  });

  it("validate the detail, and refuse to build an envelope of another source", () => {
    const good = Counted.create({ units: 3 }, { correlationId: "c", source: "partner.a" });
    expect(() => Counted.parse({ ...good, detail: { units: "3" } })).toThrow(EventValidationError);
    expect(() => Counted.create({ units: 1 }, { correlationId: "c", source: "elsewhere.a" })).toThrow(
      /starting shop\. or partner\./,
    );
  });

  it("declares the marketplace and seller types api.md lists", () => {
    expect(allExternalEventTypes.map((type) => type.detailType).sort()).toEqual([
      "Inventory Level Changed",
      "Marketplace Order Cancelled",
      "Marketplace Order Placed",
      "Marketplace Return Received",
    ]);
    expect(MarketplaceOrderPlaced.pattern).toEqual({
      source: [{ prefix: "marketplace." }, { prefix: "seller." }],
      "detail-type": ["Marketplace Order Placed"],
    });
    const placed = MarketplaceOrderPlaced.create(
      { channel: "amazon", externalOrderId: "A-1", lines: [{ sku: "SKU-1", quantity: 1 }] },
      { correlationId: "c", source: "marketplace.amazon" },
    );
    const broken = {
      ...placed,
      detail: { channel: "", externalOrderId: "A-1", lines: [{ sku: "bad sku", quantity: 0 }] },
    };
    const problems = () => MarketplaceOrderPlaced.parse(broken);
    expect(problems).toThrow(/channel: .*lines\.0\.sku: .*lines\.0\.quantity: /);
  });
});
