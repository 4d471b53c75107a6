import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from "prom-client";

/** Every Mercato metric name starts with this, the Node process metrics included. */
export const metricPrefix = "mercato_";

export type HttpRequestLabels = "method" | "route" | "status_code";

/** Without `registers`: the factories always register into this registry, never prom-client's global one. */
export type MetricConfig<T> = Omit<T, "registers" | "name"> & {
  /** Without the prefix: `queue_depth` becomes `mercato_queue_depth`. */
  name: string;
};

export interface Metrics {
  readonly registry: Registry;
  /** Seconds from the request's arrival to the response's end; `route` is the route pattern or `unmatched`. */
  readonly httpRequestDuration: Histogram<HttpRequestLabels>;
  /** A gauge; give it `collect()` to read its value at scrape time (queue depths, pool sizes). */
  gauge<L extends string = string>(config: MetricConfig<GaugeConfiguration<L>>): Gauge<L>;
  counter<L extends string = string>(config: MetricConfig<CounterConfiguration<L>>): Counter<L>;
  histogram<L extends string = string>(config: MetricConfig<HistogramConfiguration<L>>): Histogram<L>;
}

/** Buckets from 1 ms to 10 s: API calls sit in the low milliseconds, anything past seconds is an incident. */
const httpDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: metricPrefix });

  const registers = [registry];
  const prefixed = <T extends { name: string }>(config: T) => ({
    ...config,
    name: metricPrefix + config.name,
    registers,
  });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: `${metricPrefix}http_request_duration_seconds`,
      help: "HTTP request duration in seconds, by method, route pattern and status code",
      labelNames: ["method", "route", "status_code"],
      buckets: httpDurationBuckets,
      registers,
    }),
    gauge: (config) => new Gauge(prefixed(config)),
    counter: (config) => new Counter(prefixed(config)),
    histogram: (config) => new Histogram(prefixed(config)),
  };
}
