import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import { v7 as uuidv7 } from "uuid";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { waitFor } from "../test/wait.ts";
import type { QueueStats, Transport } from "../transport.ts";
import { createEmbeddedTransport } from "./index.ts";

let dataDir: string;
let open: Transport[];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "mercato-embedded-restart-"));
  open = [];
});

afterEach(async () => {
  await Promise.all(open.map((transport) => transport.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function openBus(): Promise<Transport> {
  const transport = await createEmbeddedTransport({ dataDir, logger: silentLogger() });
  open.push(transport);
  return transport;
}

function event(detailType: string, detail: Record<string, unknown>): EventEnvelope {
  return {
    version: "0",
    id: uuidv7(),
    "detail-type": detailType,
    source: "mercato.test",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "local",
    resources: [],
    detail,
    metadata: { "correlation-id": uuidv7() },
  };
}

async function statsOf(transport: Transport, queue: string): Promise<QueueStats> {
  const stats = (await transport.stats()).find((s) => s.name === queue);
  if (!stats) throw new Error(`no stats for ${queue}`);
  return stats;
}

const settings = { visibilityTimeoutMs: 1_000, backoff: { baseMs: 10, maxMs: 50 } };

describe("embedded transport across a restart", () => {
  it("keeps queues, rules, waiting messages in order, delayed retries and dead letters", async () => {
    const first = await openBus();
    await first.declareQueue({
      name: "orders",
      maxReceiveCount: 3,
      ...settings,
      fifo: { groupBy: "detail.orderId" },
    });
    await first.declareQueue({
      name: "slow-retry",
      ...settings,
      maxReceiveCount: 3,
      backoff: { baseMs: 3_600_000, maxMs: 3_600_000 },
    });
    await first.declareQueue({ name: "doomed", maxReceiveCount: 1, ...settings });
    await first.putRule({
      name: "orders",
      eventPattern: { "detail-type": ["OrderPlaced"] },
      queue: "orders",
    });
    await first.putRule({ name: "retry", eventPattern: { "detail-type": ["Retry"] }, queue: "slow-retry" });
    await first.putRule({ name: "doomed", eventPattern: { "detail-type": ["Doomed"] }, queue: "doomed" });
    const failing = async () => {
      throw new Error("first run fails");
    };
    const retrying = await first.consume("slow-retry", failing);
    const dooming = await first.consume("doomed", failing);
    await first.publish([event("Retry", {}), event("Doomed", {})]);
    await waitFor(async () => (await statsOf(first, "slow-retry")).delayed === 1, "the delayed retry");
    await waitFor(async () => (await statsOf(first, "doomed")).dlqDepth === 1, "the dead letter");
    await retrying.stop();
    await dooming.stop();
    const orders = [1, 2, 3, 4, 5].map((n) => event("OrderPlaced", { orderId: n % 2 ? "odd" : "even", n }));
    await first.publish(orders.slice(0, 2));
    await first.publish(orders.slice(2));
    await first.close();

    const second = await openBus();

    expect(await second.listRules()).toEqual([
      { name: "doomed", eventPattern: { "detail-type": ["Doomed"] }, queue: "doomed" },
      { name: "orders", eventPattern: { "detail-type": ["OrderPlaced"] }, queue: "orders" },
      { name: "retry", eventPattern: { "detail-type": ["Retry"] }, queue: "slow-retry" },
    ]);
    expect(await statsOf(second, "orders")).toMatchObject({
      depth: 5,
      inFlight: 0,
      delayed: 0,
      processed: 0,
    });
    expect(await statsOf(second, "slow-retry")).toMatchObject({ depth: 0, delayed: 1 });
    expect(await statsOf(second, "doomed")).toMatchObject({ depth: 0, dlqDepth: 1 });
    const [letter] = await second.deadLetters("doomed");
    expect(letter?.attempts.map((a) => a.error)).toEqual(["first run fails"]);

    const seen: Array<{ groupId: string | undefined; n: number }> = [];
    await second.consume(
      "orders",
      async (delivery) => {
        seen.push({ groupId: delivery.groupId, n: (delivery.event.detail as { n: number }).n });
      },
      { concurrency: 1 },
    );
    await waitFor(() => seen.length === 5, "the five orders");
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((s) => s.groupId)).toEqual(["odd", "even", "odd", "even", "odd"]);

    // The history of a redriven message that fails again runs from its first attempt.
    expect(await second.redrive("doomed")).toBe(1);
    await second.consume("doomed", async () => {
      throw new Error("second run fails");
    });
    await waitFor(async () => (await statsOf(second, "doomed")).dlqDepth === 1, "the second dead-lettering");
    const [again] = await second.deadLetters("doomed");
    expect(again?.id).toBe(letter?.id);
    expect(again?.receiveCount).toBe(1);
    expect(again?.attempts.map((a) => a.error)).toEqual(["first run fails", "second run fails"]);
    expect(again?.firstFailedAt).toBe(letter?.firstFailedAt);
  });
});

describe("embedded transport settings and errors", () => {
  it("rejects invalid queue settings with the field at fault", async () => {
    const bus = await openBus();
    const valid = {
      name: "q",
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 10, maxMs: 100 },
    };
    await expect(bus.declareQueue({ ...valid, name: "" })).rejects.toThrow(/name must be a non-empty string/);
    await expect(bus.declareQueue({ ...valid, visibilityTimeoutMs: 0 })).rejects.toThrow(
      /visibilityTimeoutMs/,
    );
    await expect(bus.declareQueue({ ...valid, maxReceiveCount: 1.5 })).rejects.toThrow(/maxReceiveCount/);
    await expect(bus.declareQueue({ ...valid, backoff: { baseMs: 100, maxMs: 10 } })).rejects.toThrow(
      /backoff.maxMs/,
    );
    await expect(bus.declareQueue({ ...valid, fifo: { groupBy: "" } })).rejects.toThrow(/fifo.groupBy/);
    expect(await bus.stats()).toEqual([]);
  });

  it("changes a queue's FIFO setting only while the queue is empty", async () => {
    const bus = await openBus();
    const config = {
      name: "q",
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 10, maxMs: 100 },
    };
    await bus.declareQueue(config);
    await bus.declareQueue({ ...config, fifo: { groupBy: "detail.id" } });
    await bus.putRule({ name: "r", eventPattern: { source: ["mercato.test"] }, queue: "q" });
    await bus.publish([event("X", { id: 1 })]);

    await expect(bus.declareQueue(config)).rejects.toThrow(/holds 1 messages/);
    await bus.declareQueue({ ...config, fifo: { groupBy: "detail.id" }, maxReceiveCount: 9 });
    expect(await bus.purge("q")).toBe(1);
    await bus.declareQueue(config);
  });

  it("refuses rules for undeclared queues, consumers of undeclared queues and bad concurrency", async () => {
    const bus = await openBus();
    await expect(
      bus.putRule({ name: "r", eventPattern: { source: ["x"] }, queue: "missing" }),
    ).rejects.toThrow(/"missing", which is not declared/);
    expect(await bus.listRules()).toEqual([]);
    await expect(bus.consume("missing", async () => {})).rejects.toThrow(/Queue "missing" is not declared/);
    await bus.declareQueue({
      name: "q",
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    await expect(bus.consume("q", async () => {}, { concurrency: 0 })).rejects.toThrow(
      /Invalid concurrency 0/,
    );
  });

  it("drops events no rule matches and refuses to publish once closed", async () => {
    const bus = await openBus();
    await bus.declareQueue({
      name: "q",
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    await bus.putRule({ name: "r", eventPattern: { source: ["mercato.other"] }, queue: "q" });
    await bus.publish([event("X", {})]);
    expect(await statsOf(bus, "q")).toMatchObject({ depth: 0 });
    await bus.close();
    await expect(bus.publish([event("X", {})])).rejects.toThrow(/closed/);
  });

  it("works with fsync on every commit", async () => {
    const bus = await createEmbeddedTransport({ dataDir, logger: silentLogger(), sync: true });
    open.push(bus);
    await bus.declareQueue({
      name: "q",
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    await bus.putRule({ name: "r", eventPattern: { source: ["mercato.test"] }, queue: "q" });
    const handled: string[] = [];
    await bus.consume("q", async (delivery) => {
      handled.push(delivery.event.id);
    });
    const events = [event("X", {}), event("Y", {})];
    await bus.publish(events);
    await waitFor(() => handled.length === 2, "both events");
    expect(handled.sort()).toEqual(events.map((e) => e.id).sort());
  });
});
