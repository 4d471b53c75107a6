import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defineEvent, type EventEnvelope } from "@mercato/contracts";
import type { Kysely } from "kysely";
import { z } from "zod";
import { createEmbeddedTransport } from "../packages/platform/src/bus/embedded/index.ts";
import { createNatsTransport, removeNatsResources } from "../packages/platform/src/bus/nats/index.ts";
import {
  type DatabaseProvider,
  migrate,
  OutboxRelay,
  openDatabaseProvider,
  type ServiceDatabase,
  silentLogger,
  type Transport,
  withInbox,
  writeToOutbox,
} from "../packages/platform/src/index.ts";
import { messagingMigrations } from "../packages/platform/src/outbox/tables.ts";
import {
  dropServiceDatabases,
  externalServices,
  requireServer,
} from "../packages/platform/src/testing/external-services.ts";
import { benchEmbeddedTransport } from "./embedded-transport.ts";
import { formatMs, formatRate, percentile, printTable } from "./machine.ts";
import { benchRawJetStream } from "./nats-transport.ts";

/**
 * The event backbone end to end, as services use it: a producer commits events to its outbox in
 * transactions of 100, the relay publishes them, and a consumer handles each through the inbox
 * (its own transaction) and acknowledges it. Measured twice per transport: flat out (throughput)
 * and paced at half that rate (latency from outbox insert to handler ack, without a backlog).
 */
const logger = silentLogger();
const payloadBytes = 512;
const throughputEvents = Number(process.env.BENCH_BUS_EVENTS ?? 20_000);

const BenchEvent = defineEvent({
  source: "mercato.bench",
  detailType: "BenchHappened",
  description: "benchmark event",
  detail: z.object({ sequence: z.number(), sentAt: z.number(), padding: z.string() }),
});

export interface Setup {
  name: string;
  limitName: string;
  open(
    dataDir: string,
  ): Promise<{ databases: DatabaseProvider; transport: Transport; cleanUp?: () => Promise<void> }>;
  limit(): Promise<number>;
}

const padding = "x".repeat(payloadBytes - 120);

function makeEvent(sequence: number): EventEnvelope {
  return BenchEvent.create(
    { sequence, sentAt: performance.now() + performance.timeOrigin, padding },
    { correlationId: "bench" },
  );
}

export async function runPipeline(
  setup: Setup,
  events: number,
  ratePerSecond: number | undefined,
): Promise<{ eventsPerSecond: number; p50: number; p99: number }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-bus-"));
  const { databases, transport, cleanUp } = await setup.open(dataDir);
  const service = `bench_bus_${process.pid}_${Date.now() % 100_000}`;
  const database = (await databases.forService(service)) as ServiceDatabase<unknown>;
  await migrate(database, messagingMigrations);
  const queue = `bench-${service.replaceAll("_", "-")}`;
  await transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 30_000,
    maxReceiveCount: 5,
    backoff: { baseMs: 100, maxMs: 1000 },
  });
  await transport.putRule({ name: queue, eventPattern: BenchEvent.pattern, queue });

  const latencies: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const consumer = await transport.consume(
    queue,
    withInbox(database, queue, async (event) => {
      latencies.push(
        performance.now() + performance.timeOrigin - (event.detail as { sentAt: number }).sentAt,
      );
      if (latencies.length === events) done();
    }),
    { concurrency: 128 },
  );
  const relay = new OutboxRelay({ database, transport, logger, batchSize: 500 });
  await relay.start();

  const batch = 100;
  const started = performance.now();
  let next = 0;
  const produce = async () => {
    while (next < events) {
      const from = next;
      next += batch;
      const rows = Array.from({ length: Math.min(batch, events - from) }, (_, index) =>
        makeEvent(from + index),
      );
      if (ratePerSecond) {
        const due = started + (from / ratePerSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await database.db
        .transaction()
        .execute((transaction) => writeToOutbox(transaction as Kysely<unknown>, database.schema, rows));
    }
  };
  await produce();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  await relay.stop();
  await database.close();
  await transport.close();
  await databases.close();
  await cleanUp?.();
  if (databases.engine === "postgres") await dropServiceDatabases([service]);
  await fs.rm(dataDir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return {
    eventsPerSecond: events / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export const embedded: Setup = {
  name: "embedded (PGlite + embedded bus)",
  limitName: "the embedded transport alone, publish+consume, same run",
  open: async (dataDir) => ({
    databases: await openDatabaseProvider({ databaseUrl: undefined, dataDir, logger }),
    transport: await createEmbeddedTransport({ dataDir, logger }),
  }),
  limit: async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-bus-limit-"));
    try {
      return (await benchEmbeddedTransport({ events: throughputEvents, dataDir })).eventsPerSecond;
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  },
};

export const nats: Setup = {
  name: "nats (PostgreSQL + JetStream)",
  limitName: "raw JetStream publish+consume, same payload",
  open: async (dataDir) => {
    const prefix = `bench-${process.pid}-${Date.now() % 100_000}`;
    return {
      databases: await openDatabaseProvider({
        databaseUrl: externalServices.postgres.url,
        dataDir,
        logger,
        poolSize: 16,
      }),
      transport: await createNatsTransport({ url: externalServices.nats.url, prefix, logger }),
      cleanUp: async () => {
        await removeNatsResources({ url: externalServices.nats.url, prefix });
      },
    };
  },
  limit: async () =>
    (await benchRawJetStream({ url: externalServices.nats.url, events: throughputEvents, payloadBytes }))
      .eventsPerSecond,
};

export async function main(): Promise<void> {
  const setups = [embedded];
  if ((await requireServer("postgres")) && (await requireServer("nats"))) setups.push(nats);
  const rows: Record<string, string | number>[] = [];
  for (const setup of setups) {
    const peak = await runPipeline(setup, throughputEvents, undefined);
    const paced = await runPipeline(setup, Math.round(peak.eventsPerSecond * 2.5), peak.eventsPerSecond / 2);
    const limit = await setup.limit();
    rows.push({
      transport: setup.name,
      "events/s (outbox -> ack)": formatRate(peak.eventsPerSecond),
      "p50 ms @ half load": formatMs(paced.p50),
      "p99 ms @ half load": formatMs(paced.p99),
      limit: `${formatRate(limit)} (${setup.limitName})`,
      "% of limit": `${Math.round((peak.eventsPerSecond / limit) * 100)}%`,
    });
  }
  console.log(
    `payload ${payloadBytes} bytes, ${formatRate(throughputEvents)} events for throughput, 5 s paced for latency`,
  );
  printTable(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
