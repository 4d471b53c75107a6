import { Gauge } from "prom-client";
import type { QueueStats, Transport } from "../bus/transport.ts";
import type { Metrics } from "../metrics/index.ts";

const queueGauges: { name: string; help: string; value: (stats: QueueStats) => number }[] = [
  { name: "mercato_queue_depth", help: "Messages waiting to be received", value: (s) => s.depth },
  {
    name: "mercato_queue_in_flight",
    help: "Messages received and not yet acknowledged",
    value: (s) => s.inFlight,
  },
  { name: "mercato_queue_delayed", help: "Messages waiting for their retry delay", value: (s) => s.delayed },
  {
    name: "mercato_queue_dlq_depth",
    help: "Messages in the queue's dead-letter queue",
    value: (s) => s.dlqDepth,
  },
  {
    name: "mercato_queue_oldest_age_seconds",
    help: "Age of the oldest unacknowledged message",
    value: (s) => s.oldestAgeMs / 1000,
  },
  {
    name: "mercato_queue_processed",
    help: "Messages acknowledged by this process since it started",
    value: (s) => s.processed,
  },
  {
    name: "mercato_queue_failed",
    help: "Failed handler runs in this process since it started",
    value: (s) => s.failed,
  },
];

/** Per-queue gauges read from the transport when Prometheus scrapes, one query per scrape. */
export function registerQueueMetrics(metrics: Metrics, transport: Transport): void {
  let snapshot: Promise<QueueStats[]> | undefined;
  const stats = () => {
    snapshot ??= transport.stats().finally(() => {
      setImmediate(() => {
        snapshot = undefined;
      });
    });
    return snapshot;
  };
  for (const gauge of queueGauges) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      labelNames: ["queue"],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const queue of await stats()) this.set({ queue: queue.name }, gauge.value(queue));
      },
    });
  }
}
