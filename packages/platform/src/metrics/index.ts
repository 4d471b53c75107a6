export {
  createMetrics,
  type HttpRequestLabels,
  type MetricConfig,
  type Metrics,
  metricPrefix,
} from "./registry.ts";
