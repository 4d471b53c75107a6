import { requireServer } from "../packages/platform/src/testing/external-services.ts";
import { startTestHost, type TestHost } from "../packages/platform/src/testing/test-host.ts";
import { eventsService } from "../services/events/src/index.ts";
import { send, signedPutEvents } from "../services/events/test/aws-client.ts";
import { embedded, nats, runPipeline, type Setup } from "./bus.ts";
import { formatRate, printTable } from "./machine.ts";

/**
 * Ingestion (api.md, "Events in"): events/s that other systems put through `POST /api/events`
 * (an API key's bearer key) and through `/aws/events` (every request SigV4-signed with
 * @smithy/signature-v4, as the AWS SDK signs, and verified by re-signing), on the events service
 * alone. The AWS SDK's client itself costs a few milliseconds of CPU per request on top, which in
 * this one-process benchmark would be charged to the server; tests/marketplace.test.ts proves the SDK. Each
 * accepted entry is validated, written to the outbox in the request's transaction, relayed to the
 * bus and logged by the event log; "through the bus" counts until the last of them is logged.
 * Printed beside the bus benchmark (outbox -> handler ack) of the same transport in the same run.
 */
const events = Number(process.env.BENCH_INGESTION_EVENTS ?? 10_000);
const concurrency = 16;
const padding = "x".repeat(300);

interface Wire {
  name: string;
  /** Puts `batch` entries in one request; answers how many were accepted. */
  open(
    host: TestHost,
    key: { key: string; accessKeyId: string; secretAccessKey: string },
  ): {
    put(batch: number): Promise<number>;
    close(): void;
  };
}

let sequence = 0;
/**
 * A new entry each time: two identical signed requests within 5 minutes are one request replayed,
 * which /aws/events refuses (the AWS SDK makes every request unique by signing an invocation id).
 */
const entry = () => {
  sequence += 1;
  const detail = JSON.stringify({ channel: "bench", externalOrderId: `order-${sequence}`, padding });
  return { Source: "bench.ingestion", DetailType: "Bench Happened", Detail: detail };
};

const api: Wire = {
  name: "POST /api/events (bearer key)",
  open(host, key) {
    return {
      async put(batch) {
        const answer = await host.call("POST", "/api/events", {
          token: key.key,
          body: { Entries: Array.from({ length: batch }, entry) },
        });
        if (answer.status !== 200) throw new Error(`POST /api/events answered ${answer.status}`);
        return batch - answer.body.FailedEntryCount;
      },
      close() {},
    };
  },
};

const aws: Wire = {
  name: "/aws/events (SigV4, @smithy/signature-v4)",
  open(host, key) {
    return {
      async put(batch) {
        const body = JSON.stringify({ Entries: Array.from({ length: batch }, entry) });
        const answer = await send(await signedPutEvents(host.url, key, body));
        if (answer.status !== 200)
          throw new Error(`/aws/events answered ${answer.status}: ${answer.body?.__type}`);
        return batch - answer.body.FailedEntryCount;
      },
      close() {},
    };
  },
};

async function ingest(setup: Setup, wire: Wire, batch: number) {
  const host = await startTestHost({ services: [eventsService], distributed: setup === nats });
  try {
    const admin = await host.authority?.token({ roles: ["admin"] });
    const key = (await host.call("POST", "/api/api-keys", { token: admin, body: { name: "bench" } })).body;
    const client = wire.open(host, key);
    const requests = Math.ceil(events / batch);
    let next = 0;
    let accepted = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests) {
        next += 1;
        const taken = await client.put(batch);
        accepted += taken;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const answered = performance.now();
    while (!(await host.settled())) await new Promise((resolve) => setTimeout(resolve, 20));
    const logged = performance.now();
    client.close();
    if (accepted !== requests * batch)
      throw new Error(`only ${accepted} of ${requests * batch} entries accepted`);
    return {
      accepted: accepted / ((answered - started) / 1000),
      throughBus: accepted / ((logged - started) / 1000),
    };
  } finally {
    await host.close();
  }
}

export async function main(): Promise<void> {
  const setups = [embedded];
  if ((await requireServer("postgres")) && (await requireServer("nats"))) setups.push(nats);
  const rows: Record<string, string | number>[] = [];
  for (const setup of setups) {
    const bus = await runPipeline(setup, events, undefined);
    for (const wire of [api, aws]) {
      for (const batch of [10, 1]) {
        const result = await ingest(setup, wire, batch);
        rows.push({
          topology: setup.name,
          wire: wire.name,
          "entries/request": batch,
          "events/s accepted": formatRate(result.accepted),
          "events/s through the bus": formatRate(result.throughBus),
          "bus alone, outbox -> ack (same run)": formatRate(bus.eventsPerSecond),
          "% of bus": `${Math.round((result.throughBus / bus.eventsPerSecond) * 100)}%`,
        });
      }
    }
  }
  console.log(
    `${formatRate(events)} events of ~400 bytes per measurement, ${concurrency} clients at once; the events service alone (its event log is the consumer)`,
  );
  printTable(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
