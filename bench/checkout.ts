import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { removeNatsResources } from "../packages/platform/src/bus/nats/cleanup.ts";
import {
  dropServiceDatabases,
  externalServices,
  requireServer,
} from "../packages/platform/src/testing/index.ts";
import { startDistributedShop } from "./checkout-distributed.ts";
import { type Outcome, Outcomes, type Shop, stopChild } from "./checkout-shop.ts";
import { formatMs, formatRate, percentile, printTable } from "./machine.ts";
import { startOtlpSink } from "./otlp-sink.ts";
import { CpuMeter, fixedPids } from "./process-cpu.ts";
import { measureShoppers } from "./shopper-checkout.ts";

/**
 * Checkouts from POST /api/orders to `confirmed`, on the embedded defaults and on PostgreSQL +
 * NATS. The services run in a process of their own; this one is the storefront. Peak: as many
 * checkouts in flight as `concurrency`, each customer waiting for its order's confirmation.
 * Latency: an open loop at half the peak rate. Beside them, the limit of architecture.md measured
 * in the same run: pgbench -N write transactions/s ÷ 6 × 50%. CPU time per checkout is charged
 * to every process that did work for it (each service process, PostgreSQL, NATS, this one). With
 * BENCH_TRACING=1 each topology is measured again with tracing on (every span exported over
 * OTLP/HTTP to a sink in this process), which gives the cost of tracing (docs/observability.md).
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const users = Number(process.env.BENCH_USERS ?? 5000);
/**
 * What to measure: `embedded` and `distributed` are the saga from POST /api/orders on each
 * topology; `shoppers` is the whole checkout through the gateway (bench/shopper-checkout.ts).
 */
const topologies = (process.env.BENCH_TOPOLOGIES ?? "embedded,distributed,shoppers").split(",");
/** With BENCH_TRACING=1 each topology is measured a second time with every span exported. */
const withTracing = process.env.BENCH_TRACING === "1";
const root = new URL("../", import.meta.url).pathname;
const services = ["catalog", "inventory", "cart", "orders", "payments"];
const address = { name: "Bench", line1: "1 Load Street", city: "Berlin", postalCode: "10115", country: "DE" };

/** The customers of a shop, one checkout each, as a storefront sends them. */
class Storefront {
  private next = 0;

  constructor(private readonly shop: Shop) {}

  get customersLeft(): number {
    return this.shop.tokens.length - this.next;
  }

  /** One customer checks out; resolves with ms from the request to the order's outcome. */
  async checkout(): Promise<{ ms: number; status: string }> {
    const token = this.shop.tokens[this.next++];
    if (!token) throw new Error(`every one of the ${users} customers has checked out; raise BENCH_USERS`);
    const started = Date.now();
    const response = await fetch(new URL("/api/orders", this.shop.ordersUrl), {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ shippingAddress: address, payment: { token: "tok_visa" } }),
    });
    const order = (await response.json()) as { id: string };
    if (response.status !== 202)
      throw new Error(`checkout answered ${response.status}: ${JSON.stringify(order)}`);
    const outcome = await this.shop.outcomes.of(order.id);
    return { ms: outcome.at - started, status: outcome.status };
  }

  /** Synchronous calls orders made to cart so far (orders' own counter). */
  async cartCalls(): Promise<number> {
    const text = await (await fetch(new URL("/metrics", this.shop.ordersUrl))).text();
    let total = 0;
    for (const match of text.matchAll(/^mercato_orders_cart_calls_total\{[^}]*\} (\d+)/gm))
      total += Number(match[1]);
    return total;
  }
}

/** Every service in one child process, as `npm start` runs them; outcomes come on its stdout. */
async function startEmbeddedShop(env: Record<string, string>): Promise<Shop> {
  const child = spawn("node", ["--import", "tsx", path.join(root, "bench/servers/checkout-host.ts")], {
    cwd: root,
    env: { ...process.env, ...env, BENCH_USERS: String(users), LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error("checkout-host exited before it was ready");
    if (!value.startsWith('{"url"')) continue;
    const { url, tokens } = JSON.parse(value) as { url: string; tokens: string[] };
    const outcomes = new Outcomes();
    void (async () => {
      for await (const line of lines) {
        const { orderId, ...outcome } = JSON.parse(line) as Outcome & { orderId: string };
        outcomes.record(orderId, outcome);
      }
    })();
    return {
      ordersUrl: url,
      tokens,
      outcomes,
      accounts: [fixedPids("services (one process)", [child.pid ?? 0])],
      stop: () => stopChild(child),
    };
  }
}

/** As many checkouts in flight as `concurrency` for `seconds`: completed checkouts per second. */
async function peak(host: Storefront): Promise<{ rate: number; completed: number }> {
  const deadline = Date.now() + seconds * 1000;
  let completed = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline && host.customersLeft > 0) {
        const { status } = await host.checkout();
        if (status !== "confirmed") throw new Error(`an order was ${status}`);
        completed += 1;
      }
    }),
  );
  return { rate: completed / ((Date.now() - started) / 1000), completed };
}

/** Checkouts started at a fixed rate, whatever the answers: latency from request to confirmed. */
async function steady(host: Storefront, rate: number): Promise<number[]> {
  const count = Math.min(Math.round(rate * seconds), host.customersLeft);
  const intervalMs = 1000 / rate;
  const started = Date.now();
  const runs: Promise<{ ms: number }>[] = [];
  for (let index = 0; index < count; index++) {
    const due = started + index * intervalMs;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    runs.push(host.checkout());
  }
  return (await Promise.all(runs)).map((run) => run.ms).sort((a, b) => a - b);
}

async function measure(name: string, start: () => Promise<Shop>) {
  const shop = await start();
  const host = new Storefront(shop);
  try {
    await steady(host, 20);
    const callsBefore = await host.cartCalls();
    const cpu = new CpuMeter(shop.accounts);
    await cpu.start();
    const { rate, completed } = await peak(host);
    const cpuPerCheckout = await cpu.perUnit(completed);
    const calls = (await host.cartCalls()) - callsBefore;
    const latencies = await steady(host, Math.max(1, rate / 2));
    const result = {
      name,
      rate,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      callsPerCheckout: calls / completed,
      cpuAll: cpuPerCheckout.find((row) => row.name === "all")?.ms ?? Number.NaN,
    };
    // Each figure as it comes: the run takes minutes, and the table comes at its end.
    console.log(
      `${name}: ${formatRate(rate)} checkouts/s, p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms`,
    );
    console.log(
      `  CPU ms per checkout: ${cpuPerCheckout.map((row) => `${row.name} ${row.ms.toFixed(1)}`).join(", ")}`,
    );
    return result;
  } finally {
    await shop.stop();
  }
}

/** PostgreSQL's simple write transactions per second on this machine, now (pgbench -N). */
function pgbenchWrites(prefix: string): number {
  const database = `${prefix}_pgbench`;
  const connection = ["-h", "127.0.0.1", "-U", "postgres"];
  execFileSync("createdb", [...connection, database]);
  try {
    execFileSync("pgbench", [...connection, "-i", "-q", "-s", "10", database], { stdio: "ignore" });
    const output = execFileSync(
      "pgbench",
      [...connection, "-N", "-c", "8", "-j", "2", "-T", String(seconds), database],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const match = /tps = ([\d.]+)/.exec(output);
    if (!match) throw new Error(`pgbench printed no tps:\n${output}`);
    return Number(match[1]);
  } finally {
    execFileSync("dropdb", [...connection, "--if-exists", database]);
  }
}

export async function main(): Promise<void> {
  const prefix = `benchco${process.pid}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-checkout-"));
  const sink = await startOtlpSink();
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint };
  const results = [];
  const tracingMeasures = (
    [
      ["tracing off", {}],
      ["tracing on", tracing],
    ] as const
  ).filter(([label]) => label === "tracing off" || withTracing);
  try {
    if (topologies.includes("embedded")) {
      for (const [label, env] of tracingMeasures) {
        results.push(
          await measure(`embedded: one process (PGlite, embedded bus), ${label}`, () =>
            startEmbeddedShop({ ...env, MERCATO_DATA_DIR: path.join(dataDir, `embedded-${label}`) }),
          ),
        );
      }
    }
    let limit: number | undefined;
    if (
      topologies.includes("distributed") &&
      (await requireServer("postgres")) &&
      (await requireServer("nats"))
    ) {
      limit = (pgbenchWrites(prefix) / 6) * 0.5;
      for (const [label, env] of tracingMeasures) {
        const run = `${prefix}${label === "tracing on" ? "t" : ""}`;
        results.push(
          await measure(`PostgreSQL + NATS: one process per service, ${label}`, () =>
            startDistributedShop({
              dataDir: path.join(dataDir, `distributed-${label}`),
              prefix: run,
              users,
              env,
            }),
          ).finally(async () => {
            await dropServiceDatabases(services, run).catch(() => undefined);
            await removeNatsResources({ url: externalServices.nats.url, prefix: run }).catch(() => undefined);
          }),
        );
      }
    }
    console.log(
      `${concurrency} checkouts in flight for the peak, ${seconds} s per measure; latency at half the peak rate, POST /api/orders → OrderConfirmed`,
    );
    printTable(
      results.map((result) => ({
        topology: result.name,
        "checkouts/s": formatRate(result.rate),
        "p50 ms": formatMs(result.p50),
        "p99 ms": formatMs(result.p99),
        "sync calls/checkout": result.callsPerCheckout.toFixed(2),
        "CPU ms/checkout, all processes": result.cpuAll.toFixed(1),
        limit: limit === undefined ? "" : `50% of pgbench -N ÷ 6 = ${formatRate(limit)}/s`,
        "% of limit": limit === undefined ? "" : `${Math.round((result.rate / limit) * 100)}%`,
      })),
    );
    console.log(
      "targets: checkouts/s ≥ the limit on PostgreSQL + NATS; p99 ≤ 100 ms; 1 synchronous call per checkout",
    );
    if (topologies.includes("shoppers")) {
      const postgres = (await requireServer("postgres")) && (await requireServer("nats"));
      const shoppers = await measureShoppers({ postgres, prefix });
      printTable(
        shoppers.map((result) => ({
          topology: result.name,
          "checkouts/s": formatRate(result.rate),
          "p50 ms": formatMs(result.p50),
          "p99 ms": formatMs(result.p99),
          "CPU ms/checkout, all processes": (result.cpu.find((row) => row.name === "all")?.ms ?? 0).toFixed(
            1,
          ),
          goal: "50/s (10× Vendure 3.7.3 on this machine), p99 ≤ 500 ms",
          "% of goal": `${Math.round((result.rate / 50) * 100)}%`,
        })),
      );
    }
    if (withTracing) {
      const { exports, bytes } = sink.received();
      console.log(`tracing on: ${exports} OTLP exports, ${(bytes / 1024 / 1024).toFixed(1)} MiB of spans`);
    }
  } finally {
    await sink.close();
    await dropServiceDatabases(services, prefix).catch(() => undefined);
    await removeNatsResources({ url: externalServices.nats.url, prefix }).catch(() => undefined);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
