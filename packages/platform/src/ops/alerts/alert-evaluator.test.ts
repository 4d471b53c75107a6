import { describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { createMetrics } from "../../metrics/index.ts";
import { AlertEvaluator } from "./alert-evaluator.ts";
import type { AlertSettings } from "./alert-settings.ts";

const settings: AlertSettings = {
  queueAgeSeconds: 60,
  errorRate: 0.1,
  errorRateWindowSeconds: 60,
  pendingOrderSeconds: 120,
};

/** A registry holding the metrics the rules read, set by hand, and an evaluator on a clock of our own. */
function setUp() {
  const metrics = createMetrics();
  const gauge = (name: string, labelNames: string[] = ["queue"]) =>
    metrics.gauge({ name, help: name, labelNames });
  const counter = (name: string) => metrics.counter({ name, help: name, labelNames: ["queue"] });
  const clock = { now: Date.parse("2025-01-01T00:00:00.000Z") };
  const evaluator = new AlertEvaluator({
    registry: metrics.registry,
    settings,
    logger: silentLogger(),
    now: () => clock.now,
  });
  return {
    dlq: gauge("queue_dlq_depth"),
    age: gauge("queue_oldest_age_seconds"),
    pending: gauge("orders_pending_oldest_age_seconds", []),
    failed: counter("queue_failed_total"),
    processed: counter("queue_processed_total"),
    evaluator,
    clock,
    /** Moves the clock on and evaluates, as the periodic evaluation does. */
    async at(seconds: number) {
      clock.now += seconds * 1000;
      return evaluator.firing();
    },
  };
}

describe("the alert evaluator", () => {
  it("fires nothing while every metric is quiet, or absent", async () => {
    const { evaluator, dlq, age, processed } = setUp();
    expect(await evaluator.firing()).toEqual([]);
    dlq.set({ queue: "orders-saga-answers" }, 0);
    age.set({ queue: "orders-saga-answers" }, 59);
    processed.inc({ queue: "orders-saga-answers" }, 1000);
    expect(await evaluator.firing()).toEqual([]);
    const bare = new AlertEvaluator({ registry: createMetrics().registry, settings, logger: silentLogger() });
    expect(await bare.firing()).toEqual([]);
  });

  it("keeps since while the condition lasts, and starts again once it cleared", async () => {
    const { dlq, at, clock } = setUp();
    const started = new Date(clock.now + 5_000).toISOString();
    dlq.set({ queue: "webhooks-delivery" }, 2);
    const first = await at(5);
    expect(first).toEqual([
      {
        name: "DeadLetterQueueNotEmpty",
        severity: "warning",
        since: started,
        summary: expect.stringContaining("Queue webhooks-delivery has 2 dead letter(s)"),
      },
    ]);
    expect((await at(30))[0]?.since).toBe(started);
    dlq.set({ queue: "webhooks-delivery" }, 0);
    expect(await at(5)).toEqual([]);
    dlq.set({ queue: "webhooks-delivery" }, 1);
    expect((await at(5))[0]?.since).toBe(new Date(clock.now).toISOString());
  });

  it("gives each queue its own alert, most severe and oldest first", async () => {
    const { dlq, age, pending, at } = setUp();
    dlq.set({ queue: "b-queue" }, 1);
    await at(1);
    dlq.set({ queue: "a-queue" }, 1);
    age.set({ queue: "a-queue" }, 61);
    pending.set(121);
    const alerts = await at(1);
    expect(alerts.map((alert) => [alert.name, alert.summary.match(/queue (\S+)/i)?.[1]])).toEqual([
      ["OrdersStuckPending", undefined],
      ["DeadLetterQueueNotEmpty", "b-queue"],
      ["DeadLetterQueueNotEmpty", "a-queue"],
      ["QueueMessageTooOld", "a-queue"],
    ]);
    expect(alerts[0]).toMatchObject({
      severity: "critical",
      summary: expect.stringMatching(/^An order has been pending for 121 s \(threshold 120 s\)/),
    });
    expect(alerts[3]?.summary).toMatch(/is 61 s old \(threshold 60 s\)/);
  });

  it("computes a queue's error rate over the window, from failed and acknowledged runs", async () => {
    const { failed, processed, at } = setUp();
    const queue = { queue: "cart-products" };
    processed.inc(queue, 95);
    failed.inc(queue, 5);
    expect(await at(1)).toEqual([]);
    failed.inc(queue, 10);
    // 15 failed of 110 runs since the process started, the window being longer than its life.
    const firing = await at(10);
    expect(firing).toMatchObject([{ name: "HandlerErrorRateHigh", severity: "warning" }]);
    expect(firing[0]?.summary).toBe(
      "14% of queue cart-products's handler runs failed in the last 60 s (15 of 110; threshold 10%)",
    );
    // A minute on, only what happened since counts: 200 clean runs.
    processed.inc(queue, 200);
    expect(await at(60)).toEqual([]);
    failed.inc(queue, 30);
    expect((await at(10))[0]?.summary).toMatch(/failed in the last 60 s \(30 of 230; threshold 10%\)$/);
  });

  it("shares one evaluation between callers at the same moment", async () => {
    const { evaluator, dlq } = setUp();
    dlq.set({ queue: "q" }, 1);
    const [first, second] = await Promise.all([evaluator.firing(), evaluator.firing()]);
    expect(second).toBe(first);
  });
});
