import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { renderEventCatalog } from "../src/event-catalog.ts";
import {
  allEventTypes,
  allExternalEventTypes,
  causedBy,
  defineEvent,
  EventValidationError,
  PriceChanged,
} from "../src/index.ts";

const context = { correlationId: "corr-1" };

describe("declared events", () => {
  it("builds an EventBridge envelope with UUIDv7 id and metadata", () => {
    const event = PriceChanged.create(
      {
        productId: "p1",
        sku: "SKU-1",
        oldPrice: { amount: 1000, currency: "EUR" },
        newPrice: { amount: 900, currency: "EUR" },
      },
      {
        ...context,
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        resources: ["p1"],
      },
    );
    expect(event).toMatchObject({
      version: "0",
      source: "mercato.catalog",
      "detail-type": "PriceChanged",
      resources: ["p1"],
      metadata: {
        "correlation-id": "corr-1",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
  });

  it("refuses to publish a detail that breaks the schema, naming each field", () => {
    const bad = {
      productId: "p1",
      sku: "",
      oldPrice: { amount: -1, currency: "EUR" },
      newPrice: { amount: 1 },
    };
    const attempt = () => PriceChanged.create(bad as never, context);
    expect(attempt).toThrow(EventValidationError);
    expect(attempt).toThrow(/sku: .*oldPrice\.amount: .*newPrice\.currency: /);
  });

  it("validates a received envelope's detail", () => {
    const Demo = defineEvent({
      source: "mercato.demo",
      detailType: "ThingHappened",
      description: "test",
      detail: z.object({ count: z.number().int() }),
    });
    const good = Demo.create({ count: 1 }, context);
    expect(Demo.parse(good).detail).toEqual({ count: 1 });
    expect(() => Demo.parse({ ...good, detail: { count: "1" } })).toThrow(
      /ThingHappened detail is invalid: count:/,
    );
    expect(Demo.is(good)).toBe(true);
    expect(Demo.is({ ...good, "detail-type": "Other" })).toBe(false);
  });

  it("carries correlation and sets causation for follow-up events", () => {
    const cause = PriceChanged.create(
      {
        productId: "p",
        sku: "s",
        oldPrice: { amount: 2, currency: "EUR" },
        newPrice: { amount: 1, currency: "EUR" },
      },
      context,
    );
    expect(causedBy(cause)).toEqual({ correlationId: "corr-1", causationId: cause.id });
  });

  it("keeps docs/events.md in step with the declarations", async () => {
    const committed = await fs.readFile(new URL("../../../docs/events.md", import.meta.url), "utf8");
    expect(committed, "run `npm run events:catalog` and commit docs/events.md").toBe(
      renderEventCatalog(allEventTypes, allExternalEventTypes),
    );
  });

  it("names event types by [Resource][PastTenseVerb] from mercato.<service>", () => {
    for (const type of allEventTypes) {
      expect(type.source).toMatch(/^mercato\.[a-z]+$/);
      // EventBridge-style names with spaces only where api.md fixes them (Marketplace Order Accepted).
      expect(type.detailType).toMatch(/^[A-Z][a-z]+( ?[A-Z][a-z]+)*$/);
    }
  });
});
