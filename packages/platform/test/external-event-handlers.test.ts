import { defineExternalEvent } from "@mercato/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService, on } from "../src/index.ts";
import { startTestHost, type TestHost } from "../src/testing/index.ts";

const ShelfCounted = defineExternalEvent({
  sourcePrefixes: ["shop.", "partner."],
  detailType: "Shelf Counted",
  description: "test",
  detail: z.object({ units: z.number().int() }),
});

const queue = "shelves-counts";

/** A subscription with on() over a type whose source is a prefix: the kit derives the rule and dispatches it. */
describe("on() with an event type other systems send", () => {
  const seen: string[] = [];
  let test: TestHost;

  beforeAll(async () => {
    const service = defineService({
      name: "shelves",
      subscriptions: [
        {
          name: "counts",
          queue: { maxReceiveCount: 1, backoff: { baseMs: 10, maxMs: 20 } },
          handlers: [
            on(ShelfCounted, async (event) => {
              seen.push(`${event.source}:${event.detail.units}`);
            }),
          ],
        },
      ],
    });
    test = await startTestHost({ services: [service] });
  });

  afterAll(async () => {
    await test?.close();
  });

  it("routes every source with one of the prefixes to the handler, with the detail validated", async () => {
    const rules = await test.host.transport.listRules();
    expect(rules.find((rule) => rule.name === queue)?.eventPattern).toEqual(ShelfCounted.pattern);
    const north = ShelfCounted.create({ units: 1 }, { correlationId: "c", source: "shop.north" });
    const partner = ShelfCounted.create({ units: 2 }, { correlationId: "c", source: "partner.acme" });
    const stranger = { ...north, id: crypto.randomUUID(), source: "elsewhere.shop" };
    await test.host.transport.publish([north, partner, stranger]);
    await expect.poll(() => [...seen].sort()).toEqual(["partner.acme:2", "shop.north:1"]);
    await expect.poll(() => test.queueDrained(queue)).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it("dead-letters an event of the type whose detail breaks the schema, naming the field", async () => {
    const good = ShelfCounted.create({ units: 3 }, { correlationId: "c", source: "shop.south" });
    const broken = { ...good, detail: { units: "three" } };
    await test.host.transport.publish([broken]);
    await expect
      .poll(async () => (await test.host.transport.deadLetters(queue)).map((letter) => letter.event.id))
      .toContain(broken.id);
    const letter = (await test.host.transport.deadLetters(queue)).find((dead) => dead.event.id === broken.id);
    expect(letter?.lastError).toMatch(/Shelf Counted detail is invalid: units:/);
    expect(seen).not.toContain("shop.south:3");
  });
});
