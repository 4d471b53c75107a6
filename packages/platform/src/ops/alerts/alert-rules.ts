import type { AlertSettings } from "./alert-settings.ts";

export type Severity = "critical" | "warning";

/** One series of a metric: its labels and value. */
export interface Series {
  labels: Partial<Record<string, string | number>>;
  value: number;
}

/** What a rule reads, in Prometheus' terms: a metric's value now, or its increase over a window. */
export interface Readings {
  current(metric: string): Series[];
  /** How much a counter grew over the rule's window (since the process started, if sooner). */
  increase(metric: string): Series[];
}

/** One thing a rule found: the series it is about (`key`) and a sentence for the operator. */
export interface Finding {
  key: string;
  summary: string;
}

/**
 * An alert rule, evaluated in the process from its own metrics registry. Each one has its twin in
 * deploy/prometheus/alerts.yml with the same name, severity, metrics, threshold and window
 * (alert-rules.test.ts checks that the two stay in step).
 */
export interface AlertRule {
  name: string;
  severity: Severity;
  /** The metrics the rule reads, as Prometheus names them; its PromQL expression reads the same. */
  metrics: readonly string[];
  /** The value the expression compares with (`> threshold`). */
  threshold(settings: AlertSettings): number;
  /** The range of a rule over counters, in seconds. */
  windowSeconds?(settings: AlertSettings): number;
  evaluate(readings: Readings, settings: AlertSettings): Finding[];
}

const queueOf = (series: Series) => String(series.labels.queue ?? "");
const seconds = (value: number) => `${Math.round(value * 10) / 10} s`;

/**
 * A rule on one gauge: it fires for each series above the threshold, one alert per queue (or one
 * in all when the gauge has no queue label).
 */
function gaugeAbove(
  rule: Pick<AlertRule, "name" | "severity" | "threshold"> & {
    metric: string;
    summary(series: Series, threshold: number): string;
  },
): AlertRule {
  return {
    name: rule.name,
    severity: rule.severity,
    metrics: [rule.metric],
    threshold: rule.threshold,
    evaluate(readings, settings) {
      const threshold = rule.threshold(settings);
      return readings
        .current(rule.metric)
        .filter((series) => series.value > threshold)
        .map((series) => ({ key: queueOf(series), summary: rule.summary(series, threshold) }));
    },
  };
}

export const deadLetterQueueNotEmpty = gaugeAbove({
  name: "DeadLetterQueueNotEmpty",
  severity: "warning",
  metric: "mercato_queue_dlq_depth",
  threshold: () => 0,
  summary: (series) =>
    `Queue ${queueOf(series)} has ${series.value} dead letter(s): see GET /api/ops/queues/${queueOf(series)}/dlq and redrive once the cause is fixed`,
});

export const queueMessageTooOld = gaugeAbove({
  name: "QueueMessageTooOld",
  severity: "warning",
  metric: "mercato_queue_oldest_age_seconds",
  threshold: (settings) => settings.queueAgeSeconds,
  summary: (series, threshold) =>
    `The oldest message in queue ${queueOf(series)} is ${seconds(series.value)} old (threshold ${seconds(threshold)}): its consumers are stopped or too slow`,
});

export const handlerErrorRateHigh: AlertRule = {
  name: "HandlerErrorRateHigh",
  severity: "warning",
  metrics: ["mercato_queue_failed_total", "mercato_queue_processed_total"],
  threshold: (settings) => settings.errorRate,
  windowSeconds: (settings) => settings.errorRateWindowSeconds,
  evaluate(readings, settings) {
    const processed = new Map(
      readings.increase("mercato_queue_processed_total").map((series) => [queueOf(series), series.value]),
    );
    return readings
      .increase("mercato_queue_failed_total")
      .map((series) => {
        const runs = series.value + (processed.get(queueOf(series)) ?? 0);
        return {
          queue: queueOf(series),
          failed: series.value,
          runs,
          rate: runs > 0 ? series.value / runs : 0,
        };
      })
      .filter((queue) => queue.rate > settings.errorRate)
      .map((queue) => ({
        key: queue.queue,
        summary: `${Math.round(queue.rate * 100)}% of queue ${queue.queue}'s handler runs failed in the last ${settings.errorRateWindowSeconds} s (${queue.failed} of ${queue.runs}; threshold ${Math.round(settings.errorRate * 100)}%)`,
      }));
  },
};

export const ordersStuckPending = gaugeAbove({
  name: "OrdersStuckPending",
  severity: "critical",
  metric: "mercato_orders_pending_oldest_age_seconds",
  threshold: (settings) => settings.pendingOrderSeconds,
  summary: (series, threshold) =>
    `An order has been pending for ${seconds(series.value)} (threshold ${seconds(threshold)}): the checkout saga is not moving; are inventory and payments consuming?`,
});

/** Every rule the operations API evaluates, in the order deploy/prometheus/alerts.yml lists them. */
export const alertRules: readonly AlertRule[] = [
  deadLetterQueueNotEmpty,
  queueMessageTooOld,
  handlerErrorRateHigh,
  ordersStuckPending,
];
