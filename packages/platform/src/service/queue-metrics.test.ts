import { describe, expect, it } from "vitest";
import type { QueueStats, Transport } from "../bus/transport.ts";
import { createMetrics } from "../metrics/registry.ts";
import { registerQueueMetrics } from "./queue-metrics.ts";

function transportWith(stats: () => QueueStats[]): Transport {
  return { stats: async () => stats() } as unknown as Transport;
}

const queue = (processed: number, failed: number): QueueStats => ({
  name: "orders",
  depth: 2,
  inFlight: 1,
  delayed: 0,
  dlqDepth: 0,
  oldestAgeMs: 1500,
  processed,
  failed,
});

describe("registerQueueMetrics", () => {
  it("exports processed and failed as counters named _total, and the rest as gauges", async () => {
    const metrics = createMetrics();
    let current = queue(5, 1);
    registerQueueMetrics(
      metrics,
      transportWith(() => [current]),
    );

    let text = await metrics.registry.metrics();
    expect(text).toContain("# TYPE mercato_queue_processed_total counter");
    expect(text).toContain("# TYPE mercato_queue_failed_total counter");
    expect(text).toContain('mercato_queue_processed_total{queue="orders"} 5');
    expect(text).toContain('mercato_queue_failed_total{queue="orders"} 1');
    expect(text).toContain("# TYPE mercato_queue_depth gauge");
    expect(text).toContain('mercato_queue_depth{queue="orders"} 2');
    expect(text).not.toMatch(/mercato_queue_processed[{ ]/);

    current = queue(9, 1);
    // One transport query serves a whole scrape; the next scrape, a turn later, queries again.
    await new Promise((resolve) => setImmediate(resolve));
    text = await metrics.registry.metrics();
    expect(text).toContain('mercato_queue_processed_total{queue="orders"} 9');
    expect(text).toContain('mercato_queue_failed_total{queue="orders"} 1');
  });
});
