import type { QueueStats, Transport } from "../bus/transport.ts";
import type { Metrics } from "../metrics/index.ts";

const queueGauges: { name: string; help: string; value: (stats: QueueStats) => number }[] = [
  { name: "queue_depth", help: "Messages waiting to be received", value: (s) => s.depth },
  {
    name: "queue_in_flight",
    help: "Messages received and not yet acknowledged",
    value: (s) => s.inFlight,
  },
  { name: "queue_delayed", help: "Messages waiting for their retry delay", value: (s) => s.delayed },
  {
    name: "queue_dlq_depth",
    help: "Messages in the queue's dead-letter queue",
    value: (s) => s.dlqDepth,
  },
  {
    name: "queue_oldest_age_seconds",
    help: "Age of the oldest unacknowledged message",
    value: (s) => s.oldestAgeMs / 1000,
  },
];

/**
 * Counters: the transport counts since this process started (a restart resets them, which
 * Prometheus' `rate()` and `increase()` expect of a counter); each scrape reports the running total.
 */
const queueCounters: { name: string; help: string; value: (stats: QueueStats) => number }[] = [
  {
    name: "queue_processed_total",
    help: "Messages acknowledged by this process since it started",
    value: (s) => s.processed,
  },
  {
    name: "queue_failed_total",
    help: "Failed handler runs in this process since it started",
    value: (s) => s.failed,
  },
];

/**
 * Per-queue gauges and counters read from the transport when Prometheus scrapes, one query per
 * scrape.
 */
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
    metrics.gauge({
      name: gauge.name,
      help: gauge.help,
      labelNames: ["queue"],
      async collect() {
        this.reset();
        for (const queue of await stats()) this.set({ queue: queue.name }, gauge.value(queue));
      },
    });
  }
  for (const counter of queueCounters) {
    metrics.counter({
      name: counter.name,
      help: counter.help,
      labelNames: ["queue"],
      async collect() {
        // A Counter has no set(): the transport's cumulative count is its value at every scrape.
        this.reset();
        for (const queue of await stats()) this.inc({ queue: queue.name }, counter.value(queue));
      },
    });
  }
}

/** Outbox lag: events committed and not yet published, per service, read at scrape time. */
export function registerOutboxMetrics(
  metrics: Metrics,
  services: { definition: { name: string }; outboxBacklog(): Promise<number> }[],
): void {
  metrics.gauge({
    name: "outbox_backlog",
    help: "Events committed to a service's outbox and not yet published",
    labelNames: ["service"],
    async collect() {
      this.reset();
      const backlogs = await Promise.allSettled(services.map((service) => service.outboxBacklog()));
      backlogs.forEach((backlog, index) => {
        const name = services[index]?.definition.name;
        if (backlog.status === "fulfilled" && name) this.set({ service: name }, backlog.value);
      });
    },
  });
}
