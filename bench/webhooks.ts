import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEvent, type EventEnvelope } from "@mercato/contracts";
import { z } from "zod";
import { configureService } from "../packages/platform/src/index.ts";
import { externalServices, requireServer } from "../packages/platform/src/testing/external-services.ts";
import { startTestHost } from "../packages/platform/src/testing/test-host.ts";
import { webhooksService } from "../services/webhooks/src/index.ts";
import { startReceiver } from "../services/webhooks/test/receiver.ts";
import { benchEmbeddedTransport } from "./embedded-transport.ts";
import { formatMs, formatRate, percentile, printTable } from "./machine.ts";
import { benchNatsTransport } from "./nats-transport.ts";

/**
 * Webhook deliveries end to end, embedded (PGlite, embedded bus) and distributed (PostgreSQL, NATS
 * JetStream): events published on the bus, routed by each webhook's rule to its own queue, POSTed
 * signed to a receiver on 127.0.0.1 that answers 200, every attempt written to the delivery log
 * with its WebhookDelivered through the outbox. Printed beside the same transport alone (publish ->
 * handler ack, no database, no HTTP) measured in the same run.
 */
const burstEvents = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2_000);
const transportEvents = 20_000;
const burstBatch = 100;
const pacedBatch = 5;
const pacedSeconds = 10;

const BenchShipped = defineEvent({
  source: "mercato.bench",
  detailType: "BenchShipped",
  description: "benchmark event",
  detail: z.object({ n: z.number(), padding: z.string() }),
});
const padding = "x".repeat(300);

/**
 * `events` published to `webhooks` webhooks at once (throughput), or at `ratePerSecond` (latency
 * from publish to the receiver, without a backlog).
 */
async function deliver(
  distributed: boolean,
  webhooks: number,
  events: number,
  ratePerSecond?: number,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  const total = events * webhooks;
  let finished!: () => void;
  const allDelivered = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const receiver = await startReceiver((request) => {
    const sent = publishedAt.get(String(request.headers["webhook-id"]));
    if (sent !== undefined) latencies.push(performance.now() - sent);
    if (latencies.length === total) finished();
    return 200;
  });
  const host = await startTestHost({
    services: [configureService(webhooksService, { settings: { allowedHosts: new Set(["127.0.0.1"]) } })],
    distributed,
  });
  try {
    const token = await host.authority?.token({ roles: ["admin"] });
    for (let index = 0; index < webhooks; index++) {
      const created = await host.call("POST", "/api/webhooks", {
        ...(token ? { token } : {}),
        body: { url: `${receiver.url}/hook-${index}`, eventPattern: BenchShipped.pattern },
      });
      if (created.status !== 201)
        throw new Error(`could not register a webhook: ${JSON.stringify(created.body)}`);
    }
    const started = performance.now();
    const batchSize = ratePerSecond ? pacedBatch : burstBatch;
    for (let first = 0; first < events; first += batchSize) {
      if (ratePerSecond) {
        const wait = started + (first / ratePerSecond) * 1000 - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const batch: EventEnvelope[] = [];
      for (let n = first; n < Math.min(events, first + batchSize); n++) {
        batch.push(BenchShipped.create({ n, padding }, { correlationId: "bench" }));
      }
      const now = performance.now();
      for (const event of batch) publishedAt.set(event.id, now);
      await host.host.transport.publish(batch);
    }
    await allDelivered;
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { perSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await host.close();
    await receiver.close();
  }
}

interface Topology {
  name: string;
  distributed: boolean;
  /** The transport alone, publish -> handler ack, no database: events/s. */
  transport(): Promise<number>;
}

const embedded: Topology = {
  name: "embedded (PGlite + embedded bus)",
  distributed: false,
  async transport() {
    const dataDir = mkdtempSync(join(tmpdir(), "mercato-bench-webhooks-"));
    try {
      return (await benchEmbeddedTransport({ events: transportEvents, dataDir })).eventsPerSecond;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

const distributed: Topology = {
  name: "distributed (PostgreSQL + NATS)",
  distributed: true,
  async transport() {
    const url = externalServices.nats.url;
    return (await benchNatsTransport({ url, events: transportEvents, payloadBytes: 512 })).eventsPerSecond;
  },
};

export async function main(): Promise<void> {
  const topologies = [embedded];
  if ((await requireServer("postgres")) && (await requireServer("nats"))) topologies.push(distributed);
  const rows: Record<string, string | number>[] = [];
  for (const topology of topologies) {
    const transport = await topology.transport();
    for (const webhooks of [1, 4]) {
      const peak = await deliver(topology.distributed, webhooks, burstEvents);
      const rate = peak.perSecond / webhooks / 2;
      const paced = await deliver(topology.distributed, webhooks, Math.round(rate * pacedSeconds), rate);
      rows.push({
        topology: topology.name,
        webhooks,
        "deliveries/s": formatRate(peak.perSecond),
        "p50 ms @ half load": formatMs(paced.p50),
        "p99 ms @ half load": formatMs(paced.p99),
        "transport alone, events/s (same run)": formatRate(transport),
        "% of transport": `${((peak.perSecond / transport) * 100).toFixed(1)}%`,
      });
    }
  }
  console.log(
    `${formatRate(burstEvents)} events published at once in batches of ${burstBatch}, each to every webhook; latency over ${pacedSeconds} s at half that rate; transport alone: ${formatRate(transportEvents)} events`,
  );
  printTable(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
