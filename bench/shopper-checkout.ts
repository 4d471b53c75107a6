import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePorts } from "../apps/cli/src/distributed/free-ports.ts";
import { serviceCatalog } from "../apps/cli/src/services.ts";
import { removeNatsResources } from "../packages/platform/src/bus/nats/cleanup.ts";
import { dropServiceDatabases, externalServices } from "../packages/platform/src/testing/index.ts";
import { stopChild } from "./checkout-shop.ts";
import { formatMs, formatRate, percentile } from "./machine.ts";
import { CpuMeter, fixedPids, serverAccounts } from "./process-cpu.ts";

/**
 * Whole checkouts as shoppers make them through the public API: each of `shoppers` signed-in
 * customers, flat out, adds an item to the cart, places the order and asks for it every
 * `pollMs` until it is confirmed. The platform is `mercato start` (the gateway and every service
 * in one process, as `npm start` runs it), on the embedded defaults or on PostgreSQL + NATS.
 * This is the measure issue 14 compares with Vendure 3.7.3 (5.0-5.9 checkouts/s on this machine,
 * same load): the goal is 10× that, 50 checkouts/s, with p99 of the whole checkout ≤ 500 ms.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const shoppers = Number(process.env.BENCH_SHOPPERS ?? 20);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 50);
const root = new URL("../", import.meta.url).pathname;
const admin = { email: "bench-admin@example.com", password: "bench-admin-password" };
const address = { name: "Bench", line1: "1 Load Street", city: "Berlin", postalCode: "10115", country: "DE" };

export interface ShopperResult {
  name: string;
  rate: number;
  p50: number;
  p99: number;
  cpu: { name: string; ms: number }[];
  pollsPerCheckout: number;
  cartPollsPerCheckout: number;
}

interface Platform {
  url: string;
  child: ChildProcess;
}

async function startPlatform(dataDir: string, env: Record<string, string>): Promise<Platform> {
  const [port] = await freePorts(1);
  const child = spawn(
    "node",
    [
      "--max-semi-space-size=2",
      ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      path.join(root, "apps/cli/bin/mercato.js"),
      "start",
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        MERCATO_DATA_DIR: dataDir,
        MERCATO_SEED: "none",
        MERCATO_ADMIN_EMAIL: admin.email,
        MERCATO_ADMIN_PASSWORD: admin.password,
        // Every shopper comes from 127.0.0.1: the per-address limit would measure itself.
        MERCATO_RATE_LIMIT_PER_MINUTE: "100000000",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mercato start exited with ${child.exitCode}`);
    const ready = await fetch(new URL("/health/ready", url)).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function call<T>(url: string, method: string, body?: unknown, token?: string, extra = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...extra,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
}

/** The admin stocks one product; resolves with its id once cart can sell it. */
async function stockProduct(url: string): Promise<string> {
  const login = await call<{ accessToken: string }>(`${url}/api/auth/login`, "POST", admin);
  if (login.status !== 200) throw new Error(`admin login: ${login.status}`);
  const token = login.body.accessToken;
  const created = await call<{ id: string }>(
    `${url}/api/products`,
    "POST",
    {
      sku: "BENCH-1",
      name: "Benchmark mug",
      category: "Bench",
      price: { amount: 1250, currency: "EUR" },
    },
    token,
  );
  if (created.status !== 201) throw new Error(`product: ${created.status}`);
  const stocked = await call(`${url}/api/inventory/BENCH-1`, "PUT", { onHand: 1_000_000 }, token);
  if (stocked.status !== 200) throw new Error(`stock: ${stocked.status}`);
  return created.body.id;
}

/** One signed-in shopper: registers once, then checks out as often as asked. */
class Shopper {
  /** GET /api/orders/{id} sent while waiting for confirmations, across every checkout. */
  polls = 0;
  /** GET /api/cart sent again because the bought unit was still in the cart. */
  cartPolls = 0;

  private constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly productId: string,
  ) {}

  static async signUp(url: string, productId: string, index: number): Promise<Shopper> {
    const email = `shopper-${index}-${crypto.randomUUID()}@example.com`;
    const registered = await call<{ accessToken: string }>(`${url}/api/auth/register`, "POST", {
      email,
      password: "shopper-password",
      name: `Shopper ${index}`,
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    return new Shopper(url, registered.body.accessToken, productId);
  }

  /**
   * Add to cart, place the order, poll until confirmed: ms for the whole checkout. Then, before
   * the next one, wait until cart has taken the bought unit out: cart does so when it hears of the
   * confirmation, and a unit added before that would be counted as still in the cart (bench/
   * RESULTS.md, issue 14's note).
   */
  async checkout(): Promise<number> {
    const started = performance.now();
    const ms = await this.buyOne(started);
    for (;;) {
      const cart = await call<{ items: unknown[] }>(`${this.url}/api/cart`, "GET", undefined, this.token);
      if (cart.status !== 200) throw new Error(`cart: ${cart.status}`);
      if (cart.body.items.length === 0) return ms;
      this.cartPolls += 1;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async buyOne(started: number): Promise<number> {
    for (;;) {
      const added = await call(
        `${this.url}/api/cart/items`,
        "POST",
        { productId: this.productId, quantity: 1 },
        this.token,
      );
      if (added.status === 200) break;
      // Cart learns of a new product from catalog's event, a moment after it is created.
      if (added.status !== 404) throw new Error(`add to cart: ${added.status}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const placed = await call<{ id: string }>(
      `${this.url}/api/orders`,
      "POST",
      { shippingAddress: address, payment: { token: "tok_visa" } },
      this.token,
      { "idempotency-key": crypto.randomUUID() },
    );
    if (placed.status !== 202)
      throw new Error(`place order: ${placed.status} ${JSON.stringify(placed.body)}`);
    for (;;) {
      this.polls += 1;
      const order = await call<{ status: string }>(
        `${this.url}/api/orders/${placed.body.id}`,
        "GET",
        undefined,
        this.token,
      );
      if (order.body.status === "confirmed") return performance.now() - started;
      if (order.status !== 200 || order.body.status !== "pending") {
        throw new Error(`order ${placed.body.id}: ${order.status} ${JSON.stringify(order.body)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

/** Every shopper checking out again and again for `ms`: the durations of the checkouts completed. */
async function shop(all: Shopper[], ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  const durations: number[] = [];
  await Promise.all(
    all.map(async (shopper) => {
      while (performance.now() < deadline) durations.push(await shopper.checkout());
    }),
  );
  return durations.sort((a, b) => a - b);
}

async function measure(name: string, env: Record<string, string>, accounts: typeof serverAccounts) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-shoppers-"));
  const platform = await startPlatform(dataDir, env);
  try {
    const productId = await stockProduct(platform.url);
    const all = await Promise.all(
      Array.from({ length: shoppers }, (_, index) => Shopper.signUp(platform.url, productId, index)),
    );
    await shop(all, 2_000);
    const cpu = new CpuMeter([fixedPids("mercato (one process)", [platform.child.pid ?? 0]), ...accounts]);
    await cpu.start();
    const started = performance.now();
    const pollsBefore = all.reduce((sum, shopper) => sum + shopper.polls, 0);
    const cartPollsBefore = all.reduce((sum, shopper) => sum + shopper.cartPolls, 0);
    const durations = await shop(all, seconds * 1000);
    const polls = all.reduce((sum, shopper) => sum + shopper.polls, 0) - pollsBefore;
    const cartPolls = all.reduce((sum, shopper) => sum + shopper.cartPolls, 0) - cartPollsBefore;
    const rate = durations.length / ((performance.now() - started) / 1000);
    const result: ShopperResult = {
      name,
      rate,
      p50: percentile(durations, 50),
      p99: percentile(durations, 99),
      cpu: await cpu.perUnit(durations.length),
      pollsPerCheckout: polls / durations.length,
      cartPollsPerCheckout: cartPolls / durations.length,
    };
    console.log(
      `${name}: ${formatRate(rate)} checkouts/s, whole checkout p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms, ${result.pollsPerCheckout.toFixed(1)} order polls and ${result.cartPollsPerCheckout.toFixed(1)} cart re-reads per checkout`,
    );
    console.log(
      `  CPU ms per checkout: ${result.cpu.map((row) => `${row.name} ${row.ms.toFixed(1)}`).join(", ")}`,
    );
    return result;
  } finally {
    await stopChild(platform.child);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** The shopper checkout on the embedded defaults, and on PostgreSQL + NATS when asked. */
export async function measureShoppers(options: {
  postgres: boolean;
  prefix: string;
}): Promise<ShopperResult[]> {
  console.log(
    `shoppers: ${shoppers} signed in, each flat out: add to cart, place the order, poll every ${pollMs} ms until confirmed (${seconds} s after a 2 s warm-up)`,
  );
  const results = [await measure("shoppers, embedded (npm start: PGlite, embedded bus)", {}, [])];
  if (!options.postgres) return results;
  const prefix = `${options.prefix}s`;
  try {
    results.push(
      await measure(
        "shoppers, one process on PostgreSQL + NATS",
        {
          DATABASE_URL: externalServices.postgres.url,
          MERCATO_DATABASE_PREFIX: prefix,
          BUS_URL: externalServices.nats.url,
          MERCATO_BUS_PREFIX: prefix,
        },
        serverAccounts,
      ),
    );
  } finally {
    await dropServiceDatabases(
      serviceCatalog.map((entry) => entry.name),
      prefix,
    ).catch(() => undefined);
    await removeNatsResources({ url: externalServices.nats.url, prefix }).catch(() => undefined);
  }
  return results;
}
