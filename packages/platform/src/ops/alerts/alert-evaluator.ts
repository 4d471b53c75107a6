import type { Registry } from "prom-client";
import type { Logger } from "../../log.ts";
import { type PeriodicTask, startPeriodicTask } from "../../service/periodic-task.ts";
import { type AlertRule, alertRules, type Readings, type Series, type Severity } from "./alert-rules.ts";
import type { AlertSettings } from "./alert-settings.ts";

/** An alert firing now, as `GET /api/ops/alerts` answers it. */
export interface Alert {
  name: string;
  severity: Severity;
  /** When this process first saw the condition (ISO 8601). */
  since: string;
  summary: string;
}

/** Prometheus' default evaluation interval is a minute; a quarter of that keeps `since` close. */
const evaluationIntervalMs = 15_000;

/** Counter values of one moment: metric name, then series, then value. */
interface CounterSample {
  at: number;
  values: Map<string, Map<string, number>>;
}

/**
 * Evaluates the alert rules against this process's metrics registry: on every request and every
 * 15 s, so that `since` is when the condition began even when nobody was asking. Counter history
 * for the rules over a window and each alert's `since` live in memory, so a restart forgets them
 * (the counters restart at zero with the process too).
 */
export class AlertEvaluator {
  private readonly history: CounterSample[];
  private readonly since = new Map<string, number>();
  private evaluation: Promise<Alert[]> | undefined;
  private readonly metricNames: string[];
  private readonly counterNames: string[];
  private readonly longestWindowMs: number;

  constructor(
    private readonly options: {
      registry: Registry;
      settings: AlertSettings;
      logger: Logger;
      rules?: readonly AlertRule[];
      now?: () => number;
    },
  ) {
    const rules = this.rules;
    this.metricNames = [...new Set(rules.flatMap((rule) => rule.metrics))];
    this.counterNames = [...new Set(rules.flatMap((rule) => (rule.windowSeconds ? rule.metrics : [])))];
    this.longestWindowMs = Math.max(0, ...rules.map((rule) => windowMs(rule, options.settings)));
    // The counters count from the process's start, so they were all zero when it began.
    this.history = [{ at: this.now(), values: new Map() }];
  }

  /** The alerts firing now, most severe and oldest first; callers at the same moment share one evaluation. */
  firing(): Promise<Alert[]> {
    this.evaluation ??= this.evaluate().finally(() => {
      this.evaluation = undefined;
    });
    return this.evaluation;
  }

  /** Evaluates every 15 s until stopped. */
  start(): PeriodicTask {
    return startPeriodicTask(
      { name: "alert evaluation", intervalMs: evaluationIntervalMs, logger: this.options.logger },
      async () => {
        await this.firing();
      },
    );
  }

  private get rules(): readonly AlertRule[] {
    return this.options.rules ?? alertRules;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async evaluate(): Promise<Alert[]> {
    const { settings } = this.options;
    const current = await this.read();
    const at = this.now();
    const alerts: (Alert & { key: string })[] = [];
    for (const rule of this.rules) {
      for (const finding of rule.evaluate(this.readings(rule, current, at), settings)) {
        const key = `${rule.name}/${finding.key}`;
        const since = this.since.get(key) ?? at;
        alerts.push({
          key,
          name: rule.name,
          severity: rule.severity,
          since: new Date(since).toISOString(),
          summary: finding.summary,
        });
      }
    }
    this.remember(at, current);
    this.track(alerts, at);
    return alerts
      .sort(
        (a, b) =>
          severityOrder[a.severity] - severityOrder[b.severity] ||
          a.since.localeCompare(b.since) ||
          a.key.localeCompare(b.key),
      )
      .map(({ key: _key, ...alert }) => alert);
  }

  /** Every metric the rules read, in one pass so that the queue metrics share one stats call. */
  private async read(): Promise<Map<string, Series[]>> {
    const { registry } = this.options;
    const read = await Promise.all(
      this.metricNames.map(async (name) => {
        const metric = registry.getSingleMetric(name);
        const values = metric ? (await metric.get()).values : [];
        return [name, values.map(({ labels, value }) => ({ labels, value }))] as const;
      }),
    );
    return new Map(read);
  }

  private readings(rule: AlertRule, current: Map<string, Series[]>, at: number): Readings {
    const baseline = this.baselineAt(at - windowMs(rule, this.options.settings));
    return {
      current: (metric) => current.get(metric) ?? [],
      increase: (metric) =>
        (current.get(metric) ?? []).map((series) => {
          const before = baseline.values.get(metric)?.get(seriesKey(series)) ?? 0;
          // A counter below its earlier value was reset; what it counts since then is its increase.
          return {
            labels: series.labels,
            value: series.value >= before ? series.value - before : series.value,
          };
        }),
    };
  }

  /** The newest sample at or before `cutoff`, or the oldest kept when the process is younger. */
  private baselineAt(cutoff: number): CounterSample {
    let baseline = this.history[0] as CounterSample;
    for (const sample of this.history) {
      if (sample.at > cutoff) break;
      baseline = sample;
    }
    return baseline;
  }

  /** Keeps a counter sample every thirtieth of the longest window, and no more than it needs. */
  private remember(at: number, current: Map<string, Series[]>): void {
    if (this.counterNames.length === 0) return;
    const last = this.history[this.history.length - 1];
    const spacingMs = Math.max(1_000, this.longestWindowMs / 30);
    if (last && at - last.at < spacingMs) return;
    const values = new Map(
      this.counterNames.map((name) => [
        name,
        new Map((current.get(name) ?? []).map((series) => [seriesKey(series), series.value])),
      ]),
    );
    this.history.push({ at, values });
    while (this.history.length > 1 && (this.history[1]?.at ?? at) <= at - this.longestWindowMs) {
      this.history.shift();
    }
  }

  /** Remembers when each alert began and logs the ones that begin or end now. */
  private track(alerts: (Alert & { key: string })[], at: number): void {
    const firing = new Set(alerts.map((alert) => alert.key));
    for (const alert of alerts) {
      if (this.since.has(alert.key)) continue;
      this.since.set(alert.key, at);
      this.options.logger.warn({ alert: alert.name, severity: alert.severity }, alert.summary);
    }
    for (const key of [...this.since.keys()]) {
      if (firing.has(key)) continue;
      this.since.delete(key);
      this.options.logger.info({ alert: key }, "alert resolved");
    }
  }
}

const severityOrder: Record<Severity, number> = { critical: 0, warning: 1 };

function windowMs(rule: AlertRule, settings: AlertSettings): number {
  return (rule.windowSeconds?.(settings) ?? 0) * 1000;
}

function seriesKey(series: Series): string {
  return JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => a.localeCompare(b)));
}
