import { defineEvent } from "@mercato/contracts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidPatternError } from "../bus/patterns/index.ts";
import { declaredQueues, queueDefaults } from "./declared-queues.ts";
import { defineService, on, type SubscriptionDefinition } from "./definition.ts";

const OrderPlaced = defineEvent({
  source: "mercato.orders",
  detailType: "OrderPlaced",
  description: "test",
  detail: z.object({ orderId: z.string() }),
});
const OrderPaid = defineEvent({
  source: "mercato.payments",
  detailType: "OrderPaid",
  description: "test",
  detail: z.object({ orderId: z.string() }),
});
const ignore = async () => {};

function serviceWith(subscriptions: SubscriptionDefinition<unknown>[]) {
  return defineService({ name: "shipping", subscriptions });
}

describe("declaredQueues", () => {
  it("names each queue and rule <service>-<subscription>, with the defaults under the subscription's settings", () => {
    const declared = declaredQueues(
      serviceWith([
        { name: "placed", handlers: [on(OrderPlaced, ignore)] },
        {
          name: "paid",
          queue: { concurrency: 4, maxReceiveCount: 9, fifo: { groupBy: "detail.orderId" } },
          handlers: [on(OrderPaid, ignore)],
        },
      ]),
    );

    expect(declared).toEqual([
      {
        queue: { ...queueDefaults, name: "shipping-placed" },
        rule: {
          name: "shipping-placed",
          queue: "shipping-placed",
          eventPattern: { source: ["mercato.orders"], "detail-type": ["OrderPlaced"] },
        },
      },
      {
        queue: {
          ...queueDefaults,
          name: "shipping-paid",
          maxReceiveCount: 9,
          fifo: { groupBy: "detail.orderId" },
        },
        rule: {
          name: "shipping-paid",
          queue: "shipping-paid",
          eventPattern: { source: ["mercato.payments"], "detail-type": ["OrderPaid"] },
        },
      },
    ]);
    // Concurrency is the process's business, not the queue's.
    expect(declared[1]?.queue).not.toHaveProperty("concurrency");
  });

  it("matches every handled type with $or, and takes a pattern subscription's pattern as it is", () => {
    const pattern = { source: [{ prefix: "mercato." }] };
    const [typed, patterned] = declaredQueues(
      serviceWith([
        { name: "both", handlers: [on(OrderPlaced, ignore), on(OrderPaid, ignore)] },
        { name: "log", eventPattern: pattern, handle: ignore },
      ]),
    );

    expect(typed?.rule.eventPattern).toEqual({ $or: [OrderPlaced.pattern, OrderPaid.pattern] });
    expect(patterned?.rule.eventPattern).toBe(pattern);
  });

  it("declares nothing for a service without subscriptions", () => {
    expect(declaredQueues(defineService({ name: "gateway" }))).toEqual([]);
  });

  it("refuses two subscriptions of one name", () => {
    expect(() =>
      declaredQueues(
        serviceWith([
          { name: "placed", handlers: [on(OrderPlaced, ignore)] },
          { name: "placed", handlers: [on(OrderPaid, ignore)] },
        ]),
      ),
    ).toThrow('Service shipping has two subscriptions named "placed"');
  });

  it("refuses invalid queue settings, naming the queue and the field", () => {
    expect(() =>
      declaredQueues(
        serviceWith([{ name: "placed", queue: { maxReceiveCount: 0 }, handlers: [on(OrderPlaced, ignore)] }]),
      ),
    ).toThrow('Invalid queue config "shipping-placed": maxReceiveCount must be an integer of at least 1');
  });

  it("refuses a subscription that handles nothing", () => {
    expect(() => declaredQueues(serviceWith([{ name: "empty", handlers: [] }]))).toThrow(
      "Subscription empty lists no events and has no eventPattern",
    );
  });

  it("refuses a pattern EventBridge would refuse, naming the rule and the place", () => {
    const declare = () =>
      declaredQueues(serviceWith([{ name: "log", eventPattern: { source: [] }, handle: ignore }]));

    expect(declare).toThrow(InvalidPatternError);
    expect(declare).toThrow(/^Invalid event pattern at \$\.source: .*\(the rule of shipping-log\)$/);
  });
});
