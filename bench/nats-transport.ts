import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { EventEnvelope } from "@mercato/contracts";
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { removeNatsResources } from "../packages/platform/src/bus/nats/cleanup.ts";
import { createNatsTransport } from "../packages/platform/src/bus/nats/nats-transport.ts";
import { silentLogger } from "../packages/platform/src/log.ts";

export interface BenchOptions {
  url: string;
  events: number;
  /** Size of the event's `detail` payload. */
  payloadBytes: number;
}

export interface TransportBenchResult {
  eventsPerSecond: number;
  /** From the `publish` call that carried an event to its handler's end. */
  p50Ms: number;
  p99Ms: number;
}

export interface RawBenchResult {
  eventsPerSecond: number;
}

/** Events per `publish` call, as an outbox relay sends them. */
const PUBLISH_BATCH = 500;
const HANDLER_CONCURRENCY = 64;

function benchEvents(count: number, payloadBytes: number): EventEnvelope<{ n: number; payload: string }>[] {
  const payload = "x".repeat(payloadBytes);
  const time = new Date().toISOString();
  return Array.from({ length: count }, (_, n) => ({
    version: "0",
    id: randomUUID(),
    "detail-type": "BenchEventHappened",
    source: "mercato.bench",
    account: "000000000000",
    time,
    region: "local",
    resources: [],
    detail: { n, payload },
    metadata: { "correlation-id": randomUUID() },
  }));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? 0;
}

/**
 * Publish -> route -> queue -> handler -> ack through the NATS transport, on a prefix of its own
 * that is deleted afterwards.
 */
export async function benchNatsTransport(options: BenchOptions): Promise<TransportBenchResult> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const transport = await createNatsTransport({ url: options.url, prefix, logger: silentLogger() });
  try {
    await transport.declareQueue({
      name: "bench",
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    await transport.putRule({ name: "bench", eventPattern: { source: ["mercato.bench"] }, queue: "bench" });
    const events = benchEvents(options.events, options.payloadBytes);
    const publishedAt = new Float64Array(events.length);
    const latencies = new Float64Array(events.length);
    let handled = 0;
    let allHandled = () => {};
    const finished = new Promise<void>((resolve) => {
      allHandled = resolve;
    });
    const subscription = await transport.consume(
      "bench",
      async (delivery) => {
        const n = (delivery.event.detail as { n: number }).n;
        latencies[n] = performance.now() - (publishedAt[n] ?? 0);
        if (++handled === events.length) allHandled();
      },
      { concurrency: HANDLER_CONCURRENCY },
    );
    const started = performance.now();
    for (let first = 0; first < events.length; first += PUBLISH_BATCH) {
      const batch = events.slice(first, first + PUBLISH_BATCH);
      publishedAt.fill(performance.now(), first, first + batch.length);
      await transport.publish(batch);
    }
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await subscription.stop();
    latencies.sort();
    return {
      eventsPerSecond: events.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
    };
  } finally {
    await transport.close();
    await removeNatsResources({ url: options.url, prefix });
  }
}

/**
 * The same events and batches through bare JetStream: publish with a message id, a durable pull
 * consumer on a work-queue stream, ack. The limit the transport is measured against.
 */
export async function benchRawJetStream(options: BenchOptions): Promise<RawBenchResult> {
  const stream = `bench-raw-${randomUUID().slice(0, 8)}`;
  const subject = `${stream}.events`;
  const nc = await connect({ servers: options.url });
  const jsm = await jetstreamManager(nc, { timeout: 10_000 });
  const js = jsm.jetstream();
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    await jsm.consumers.add(stream, { durable_name: "worker", ack_policy: AckPolicy.Explicit });
    const encoder = new TextEncoder();
    const payloads = benchEvents(options.events, options.payloadBytes).map((event) => ({
      id: event.id,
      data: encoder.encode(JSON.stringify(event)),
    }));
    let acked = 0;
    let allAcked = () => {};
    const finished = new Promise<void>((resolve) => {
      allAcked = resolve;
    });
    const consumer = await js.consumers.get(stream, "worker");
    const messages = await consumer.consume({
      max_messages: 1_000,
      callback: (message) => {
        message.ack();
        if (++acked === payloads.length) allAcked();
      },
    });
    const started = performance.now();
    for (let first = 0; first < payloads.length; first += PUBLISH_BATCH) {
      await Promise.all(
        payloads
          .slice(first, first + PUBLISH_BATCH)
          .map(({ id, data }) => js.publish(subject, data, { msgID: `bench:${id}` })),
      );
    }
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await messages.close();
    return { eventsPerSecond: payloads.length / seconds };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Prints the NATS transport beside bare JetStream, same payload, same server, alternating the two
 * for several rounds and reporting medians, so a busy machine skews both alike:
 * `npm run bench -- nats-transport`, or `npx tsx bench/nats-transport.ts [events] [payloadBytes]
 * [rounds]` (BUS_URL overrides nats://127.0.0.1:4222).
 */
export async function main(args: string[] = []): Promise<void> {
  const url = process.env.BUS_URL ?? "nats://127.0.0.1:4222";
  const events = Number(args[0] ?? 20_000);
  const payloadBytes = Number(args[1] ?? 512);
  const rounds = Number(args[2] ?? 3);

  const raw: number[] = [];
  const transport: { eventsPerSecond: number; p50Ms: number; p99Ms: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const rawResult = await benchRawJetStream({ url, events, payloadBytes });
    const transportResult = await benchNatsTransport({ url, events, payloadBytes });
    raw.push(rawResult.eventsPerSecond);
    transport.push(transportResult);
    console.log(
      `round ${round}: raw ${Math.round(rawResult.eventsPerSecond)} events/s, transport ${Math.round(transportResult.eventsPerSecond)} events/s`,
    );
  }

  const rawRate = median(raw);
  const transportRate = median(transport.map((result) => result.eventsPerSecond));
  console.log(`events=${events} payloadBytes=${payloadBytes} rounds=${rounds} url=${url} (medians)`);
  console.log(`raw JetStream publish+consume+ack: ${Math.round(rawRate)} events/s`);
  console.log(
    `NATS transport publish->handler ack: ${Math.round(transportRate)} events/s, p50 ${median(transport.map((r) => r.p50Ms)).toFixed(1)} ms, p99 ${median(transport.map((r) => r.p99Ms)).toFixed(1)} ms`,
  );
  console.log(`transport / raw: ${Math.round((transportRate / rawRate) * 100)}% (target >= 50%)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
