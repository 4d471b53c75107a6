import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./registry.ts";

describe("createMetrics", () => {
  it("exposes the Node process metrics with the mercato_ prefix", async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain("mercato_process_cpu_user_seconds_total");
    expect(text).toContain("mercato_nodejs_heap_size_used_bytes");
  });

  it("records HTTP durations by method, route and status code", async () => {
    const metrics = createMetrics();
    metrics.httpRequestDuration.observe({ method: "GET", route: "/items/:id", status_code: 200 }, 0.003);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'mercato_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/items/:id",status_code="200"} 1',
    );
    expect(text).toContain(
      'mercato_http_request_duration_seconds_count{method="GET",route="/items/:id",status_code="200"} 1',
    );
  });

  it("registers prefixed collectors whose collect() runs at scrape time", async () => {
    const metrics = createMetrics();
    let depth = 3;
    metrics.gauge({
      name: "queue_depth",
      help: "Messages waiting",
      labelNames: ["queue"],
      async collect() {
        this.set({ queue: "orders" }, depth);
      },
    });
    const processed = metrics.counter({ name: "events_processed_total", help: "Events handled" });
    processed.inc(2);

    expect(await metrics.registry.metrics()).toContain('mercato_queue_depth{queue="orders"} 3');
    depth = 7;
    const text = await metrics.registry.metrics();
    expect(text).toContain('mercato_queue_depth{queue="orders"} 7');
    expect(text).toContain("mercato_events_processed_total 2");
  });

  it("keeps each instance's metrics to itself, out of prom-client's global registry", async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.gauge({ name: "only_in_first", help: "x" }).set(1);
    second.gauge({ name: "only_in_first", help: "x" }).set(2);

    expect(await first.registry.metrics()).toContain("mercato_only_in_first 1");
    expect(await second.registry.metrics()).toContain("mercato_only_in_first 2");
    expect(globalRegistry.getSingleMetric("mercato_only_in_first")).toBeUndefined();
  });
});
