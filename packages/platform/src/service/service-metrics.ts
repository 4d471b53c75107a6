import type { Metrics } from "../metrics/index.ts";

/** Metrics every service reports, created once per host and labelled by service and queue. */
export function createServiceMetrics(metrics: Metrics) {
  return {
    handlerDuration: metrics.histogram({
      name: "handler_duration_seconds",
      help: "Event handler run time in seconds, by queue and outcome",
      labelNames: ["queue", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    }),
    outboxPublished: metrics.counter({
      name: "outbox_published_total",
      help: "Events the outbox relay published, by service",
      labelNames: ["service"],
    }),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
