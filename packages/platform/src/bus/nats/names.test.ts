import { describe, expect, it } from "vitest";
import { FIFO_PARTITIONS, nameToken, natsNames, partitionOf } from "./names.ts";

describe("NATS names", () => {
  it("keeps letters, digits and dashes, and encodes everything else so distinct names stay distinct", () => {
    expect(nameToken("orders-saga")).toBe("orders-saga");
    expect(nameToken("orders.fifo")).toBe("orders_2efifo");
    expect(nameToken("a_b")).toBe("a_5fb");
    expect(nameToken("é")).toBe("_c3_a9");
    const names = ["a.b", "a_2eb", "a b", "a*b", "a>b", "a/b", "a_b", "ab"];
    expect(new Set(names.map(nameToken)).size).toBe(names.length);
    for (const name of names) expect(nameToken(name)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("namespaces streams, subjects and buckets under the prefix", () => {
    const names = natsNames("mercato");
    expect(names.queueStream("orders.fifo")).toBe("mercato_q_orders_2efifo");
    expect(names.queueSubject("orders")).toBe("mercato.q.orders.m");
    expect(names.queueSubject("orders", 3)).toBe("mercato.q.orders.p3");
    expect(names.queueSubjects("orders")).toBe("mercato.q.orders.>");
    expect(names.dlqStream("orders")).toBe("mercato_dlq_orders");
    expect(names.controlBucket).toBe("mercato_rules");
    expect(names.attemptsKey("orders.fifo", 42)).toBe("orders_2efifo.42");
    expect(() => natsNames("has_underscore")).toThrow(/Invalid NATS prefix/);
    expect(() => natsNames("has.dot")).toThrow(/Invalid NATS prefix/);
  });

  it("maps a group to one partition, always the same, and spreads groups over all of them", () => {
    expect(partitionOf("order-1")).toBe(partitionOf("order-1"));
    const used = new Set(Array.from({ length: 1_000 }, (_, n) => partitionOf(`order-${n}`)));
    expect(used.size).toBe(FIFO_PARTITIONS);
    for (const partition of used) expect(partition).toBeGreaterThanOrEqual(0);
  });
});
