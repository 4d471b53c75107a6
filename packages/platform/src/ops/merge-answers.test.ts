import { describe, expect, it } from "vitest";
import type { QueueStats } from "../bus/transport.ts";
import { distinctBy, mergeQueueStats } from "./merge-answers.ts";

const queue = (name: string, fields: Partial<QueueStats> = {}): QueueStats => ({
  name,
  depth: 0,
  inFlight: 0,
  delayed: 0,
  dlqDepth: 0,
  oldestAgeMs: 0,
  processed: 0,
  failed: 0,
  ...fields,
});

describe("the operations API's answers from several processes", () => {
  it("keeps the queue's own figures once and adds up what each instance processed", () => {
    const first = [
      queue("inventory-orders", { depth: 4, inFlight: 1, processed: 10, failed: 1, oldestAgeMs: 900 }),
    ];
    const second = [
      queue("inventory-orders", { depth: 3, inFlight: 2, dlqDepth: 1, processed: 7, oldestAgeMs: 1200 }),
      queue("cart-products", { processed: 2 }),
    ];
    expect(mergeQueueStats([first, second])).toEqual([
      queue("cart-products", { processed: 2 }),
      queue("inventory-orders", {
        depth: 4,
        inFlight: 2,
        dlqDepth: 1,
        oldestAgeMs: 1200,
        processed: 17,
        failed: 1,
      }),
    ]);
  });

  it("lists a rule or an alert reported by several processes once", () => {
    const rules = [
      { name: "a", target: "q1" },
      { name: "b", target: "q2" },
      { name: "a", target: "q1" },
    ];
    expect(distinctBy(rules, (rule) => rule.name)).toEqual(rules.slice(0, 2));
  });
});
