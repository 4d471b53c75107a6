import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { EventEnvelope } from "@mercato/contracts";
import { createEmbeddedTransport } from "../packages/platform/src/bus/embedded/embedded-transport.ts";
import { newMessageId as uuidv7 } from "../packages/platform/src/bus/embedded/message-id.ts";
import { silentLogger } from "../packages/platform/src/log.ts";

export interface EmbeddedBenchResult {
  /** Events published, handled and acknowledged per second, end to end. */
  eventsPerSecond: number;
  /** From the publish call to the start of the handler, per event. */
  p50Ms: number;
  p99Ms: number;
}

const batchSize = 100;
/** Publishes outstanding at once, as several outbox relays or request handlers would have. */
const concurrentPublishes = 4;
/** The publisher waits while this many events are published but not yet handled. */
const maxBacklog = 500;
const consumerConcurrency = 64;

/**
 * Durable throughput of the embedded bus: `events` order-sized events published in batches of 100,
 * routed by a rule to one queue and consumed by a handler that does nothing, each message
 * persisted on publish, receive and acknowledgement. Uses a fresh bus under `dataDir`.
 */
export async function benchEmbeddedTransport(options: {
  events: number;
  dataDir: string;
}): Promise<EmbeddedBenchResult> {
  const { events } = options;
  const transport = await createEmbeddedTransport({ dataDir: options.dataDir, logger: silentLogger() });
  try {
    await transport.declareQueue({
      name: "bench",
      visibilityTimeoutMs: 60_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 10_000 },
    });
    await transport.putRule({ name: "bench", eventPattern: { source: ["mercato.bench"] }, queue: "bench" });
    const publishedAt = new Float64Array(events);
    const latencies = new Float64Array(events);
    let published = 0;
    let handled = 0;
    const drainWaiters: Array<() => void> = [];
    let onDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      onDone = resolve;
    });
    await transport.consume(
      "bench",
      async (delivery) => {
        const { n } = delivery.event.detail as { n: number };
        latencies[n] = performance.now() - (publishedAt[n] as number);
        handled++;
        if (handled === events) onDone();
        if (drainWaiters.length > 0 && published - handled <= maxBacklog / 2) {
          for (const wake of drainWaiters.splice(0)) wake();
        }
      },
      { concurrency: consumerConcurrency },
    );

    const started = performance.now();
    let next = 0;
    const publisher = async () => {
      while (next < events) {
        while (published - handled > maxBacklog) {
          await new Promise<void>((resolve) => drainWaiters.push(resolve));
        }
        const first = next;
        const count = Math.min(batchSize, events - first);
        next += count;
        const batch = Array.from({ length: count }, (_, i) => benchEvent(first + i));
        const now = performance.now();
        for (let i = 0; i < count; i++) publishedAt[first + i] = now;
        published += count;
        await transport.publish(batch);
      }
    };
    await Promise.all(Array.from({ length: concurrentPublishes }, publisher));
    await done;
    const seconds = (performance.now() - started) / 1_000;
    latencies.sort();
    return {
      eventsPerSecond: Math.round(events / seconds),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
    };
  } finally {
    await transport.close();
  }
}

function benchEvent(n: number): EventEnvelope {
  return {
    version: "0",
    id: uuidv7(),
    "detail-type": "OrderPlaced",
    source: "mercato.bench",
    account: "000000000000",
    time: new Date().toISOString(),
    region: "local",
    resources: [`urn:mercato:order:${n}`],
    detail: {
      n,
      orderId: uuidv7(),
      customerId: "c-0042",
      lines: [
        { sku: "SKU-1001", quantity: 2, unitPrice: { amount: 1999, currency: "EUR" } },
        { sku: "SKU-2002", quantity: 1, unitPrice: { amount: 4950, currency: "EUR" } },
      ],
      total: { amount: 8948, currency: "EUR" },
    },
    metadata: { "correlation-id": uuidv7(), "causation-id": uuidv7() },
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * `npm run bench -- embedded-transport`, or `npx tsx bench/embedded-transport.ts [events]` (default
 * 50,000): one JSON line with events/s and the p50/p99 latency from publish to handler start.
 */
export async function main(args: string[] = []): Promise<void> {
  const events = Number(args[0] ?? 50_000);
  const dataDir = mkdtempSync(join(tmpdir(), "mercato-bus-bench-"));
  try {
    const result = await benchEmbeddedTransport({ events, dataDir });
    console.log(JSON.stringify({ events, ...result }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
