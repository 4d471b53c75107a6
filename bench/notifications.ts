import { OrderConfirmed, UserRegistered } from "@mercato/contracts";
import { notificationsService } from "@mercato/notifications";
import { EventStreamClient, requireServer, startTestHost, type TestHost } from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { formatMs, percentile, printTable } from "./machine.ts";

/**
 * Notification fan-out: from an order event published on the bus to the customer's SSE client
 * receiving its notification through HTTP (inbox transaction, NOTIFY at commit, the feed, the
 * stream's read of the store). Beside it, in the same run and from the same publishes, the bus
 * alone: a bare consumer of the same events (publish → handler, no database). Paced well below
 * saturation, so both are latencies, not queueing.
 */
const events = Number(process.env.BENCH_NOTIFICATION_EVENTS ?? 300);
const customers = 10;
const intervalMs = 20;

interface Setup {
  name: string;
  distributed: boolean;
}

interface Result {
  fanOut: number[];
  bus: number[];
}

async function measure(setup: Setup): Promise<Result> {
  const host = await startTestHost({ services: [notificationsService], distributed: setup.distributed });
  const streams: EventStreamClient[] = [];
  try {
    const users = await openStreams(host, streams);
    const published = new Map<string, number>();
    const bus: number[] = [];
    const baseline = await consumeOrderEvents(host, (orderId) => {
      const at = published.get(orderId);
      if (at !== undefined) bus.push(performance.now() - at);
    });
    const fanOut: number[] = [];
    let allReceived!: () => void;
    const received = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    for (const stream of streams) {
      void (async () => {
        for (let event = await stream.next(); event; event = await stream.next()) {
          const orderId = (JSON.parse(event.data) as { link: string }).link.split("/").pop() ?? "";
          const at = published.get(orderId);
          if (at !== undefined) fanOut.push(performance.now() - at);
          if (fanOut.length === events) allReceived();
        }
      })();
    }
    for (let index = 0; index < events; index++) {
      const userId = users[index % users.length] ?? "";
      const orderId = uuidv7();
      const event = OrderConfirmed.create(
        { orderId, userId, items: [line], total: line.lineTotal },
        { correlationId: "bench" },
      );
      published.set(orderId, performance.now());
      await host.host.transport.publish([event]);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    await received;
    await baseline.stop();
    return { fanOut: fanOut.sort((a, b) => a - b), bus: bus.sort((a, b) => a - b) };
  } finally {
    for (const stream of streams) stream.close();
    await host.close();
  }
}

const line = {
  productId: "bench-product",
  sku: "BENCH-1",
  name: "Bench",
  quantity: 1,
  unitPrice: { amount: 1000, currency: "EUR" },
  lineTotal: { amount: 1000, currency: "EUR" },
};

/** Customers announced to the service (so their emails go out too), each with an open stream. */
async function openStreams(host: TestHost, streams: EventStreamClient[]): Promise<string[]> {
  const users: string[] = [];
  for (let index = 0; index < customers; index++) {
    const userId = uuidv7();
    const email = `bench-${index}@example.com`;
    await host.host.transport.publish([
      UserRegistered.create({ userId, email, name: `Bench ${index}` }, { correlationId: "bench" }),
    ]);
    const token = await host.authority?.token({ id: userId, email });
    const stream = await EventStreamClient.open(new URL("/api/notifications/stream", host.url), {
      authorization: `Bearer ${token}`,
    });
    if (stream.response.status !== 200) throw new Error(`stream answered ${stream.response.status}`);
    streams.push(stream);
    users.push(userId);
  }
  return users;
}

/** A bare consumer of the same events on the same transport: the bus's own latency. */
async function consumeOrderEvents(host: TestHost, received: (orderId: string) => void) {
  const queue = "bench-bus-baseline";
  await host.host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 30_000,
    maxReceiveCount: 3,
    backoff: { baseMs: 100, maxMs: 1_000 },
  });
  await host.host.transport.putRule({ name: queue, eventPattern: OrderConfirmed.pattern, queue });
  return host.host.transport.consume(queue, async (delivery) => {
    received((delivery.event.detail as { orderId: string }).orderId);
  });
}

export async function main(): Promise<void> {
  const setups: Setup[] = [{ name: "embedded (PGlite + embedded bus)", distributed: false }];
  if ((await requireServer("postgres")) && (await requireServer("nats"))) {
    setups.push({ name: "distributed (PostgreSQL + NATS)", distributed: true });
  }
  const rows: Record<string, string>[] = [];
  for (const setup of setups) {
    const { fanOut, bus } = await measure(setup);
    rows.push({
      topology: setup.name,
      "event -> SSE p50 ms": formatMs(percentile(fanOut, 50)),
      "event -> SSE p99 ms": formatMs(percentile(fanOut, 99)),
      "baseline: bus publish -> handler p50 / p99 ms": `${formatMs(percentile(bus, 50))} / ${formatMs(percentile(bus, 99))}`,
    });
  }
  console.log(
    `${events} OrderConfirmed events, one every ${intervalMs} ms, to ${customers} customers' open streams`,
  );
  printTable(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
