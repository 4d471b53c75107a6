import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { accessTokenAudience, accessTokenIssuer } from "../packages/platform/src/auth/tokens.ts";
import { openTransport } from "../packages/platform/src/bus/open-transport.ts";
import { loadConfig } from "../packages/platform/src/config.ts";
import { silentLogger } from "../packages/platform/src/log.ts";
import { externalServices } from "../packages/platform/src/testing/index.ts";
import { Outcomes, type Shop, stopChild } from "./checkout-shop.ts";
import { fixedPids, serverAccounts } from "./process-cpu.ts";

const root = new URL("../", import.meta.url).pathname;

/** Which services share a process: orders and cart alone, as the checkout's hot path. */
const processes = [["orders"], ["cart"], ["inventory"], ["catalog", "payments"]];

/**
 * The distributed topology: each group of services in its own `mercato start` process on
 * PostgreSQL and NATS, as the README runs it. Tokens are signed here and checked by every process
 * against this key set, so no customer has to register (scrypt would dominate the setup).
 */
export async function startDistributedShop(options: {
  dataDir: string;
  prefix: string;
  users: number;
  /** Added to each process's environment (the OTEL_* variables of the measure with tracing). */
  env?: Record<string, string>;
}): Promise<Shop> {
  const keys = await startKeyServer();
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(children.map(stopChild));
    keys.server.close();
  };
  try {
    const basePort = 20_000 + Math.floor(Math.random() * 20_000);
    const urls = new Map<string, string>();
    processes.forEach((group, index) => {
      for (const service of group) urls.set(service, `http://127.0.0.1:${basePort + index}`);
    });
    const secretKey = randomBytes(32).toString("base64");
    for (const [index, group] of processes.entries()) {
      children.push(
        spawn(
          "node",
          [
            ...(process.env.BENCH_PROFILE
              ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
              : []),
            "--import",
            "tsx",
            // As apps/cli/bin/mercato.js does with an OTLP endpoint: the SDK before the platform.
            ...(options.env?.OTEL_EXPORTER_OTLP_ENDPOINT
              ? ["--import", path.join(root, "apps/cli/src/tracing.ts")]
              : []),
            path.join(root, "apps/cli/src/main.ts"),
            "start",
            ...group.flatMap((name) => ["--service", name]),
          ],
          {
            cwd: root,
            env: {
              ...process.env,
              ...options.env,
              PORT: String(basePort + index),
              MERCATO_DATA_DIR: path.join(options.dataDir, group.join("-")),
              MERCATO_SEED: "none",
              DATABASE_URL: externalServices.postgres.url,
              MERCATO_DATABASE_PREFIX: options.prefix,
              BUS_URL: externalServices.nats.url,
              MERCATO_BUS_PREFIX: options.prefix,
              MERCATO_IDENTITY_URL: keys.url,
              MERCATO_CART_URL: urls.get("cart") ?? "",
              MERCATO_SECRET_KEY: secretKey,
              LOG_LEVEL: "warn",
            },
            stdio: ["ignore", "ignore", "inherit"],
          },
        ),
      );
    }
    await Promise.all([...new Set(urls.values())].map(waitUntilReady));

    const outcomes = new Outcomes();
    const transport = await openTransport(
      {
        ...loadConfig({ MERCATO_DATA_DIR: options.dataDir }),
        busUrl: externalServices.nats.url,
        busPrefix: options.prefix,
      },
      silentLogger(),
    );
    const queue = "bench-order-outcomes";
    await transport.declareQueue({
      name: queue,
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 10, maxMs: 100 },
    });
    await transport.putRule({
      name: queue,
      eventPattern: { source: ["mercato.orders"], "detail-type": ["OrderConfirmed", "OrderRejected"] },
      queue,
    });
    const consumer = await transport.consume(queue, async (delivery) => {
      const { orderId } = delivery.event.detail as { orderId: string };
      const status = delivery.event["detail-type"] === "OrderConfirmed" ? "confirmed" : "rejected";
      outcomes.record(orderId, { status, at: Date.now() });
    });

    const tokens = await Promise.all(Array.from({ length: options.users }, () => keys.token()));
    await stockAndFillCarts(urls, await keys.token(["admin"]), tokens);
    return {
      ordersUrl: urls.get("orders") ?? "",
      tokens,
      outcomes,
      accounts: [
        ...processes.map((group, index) => fixedPids(group.join(" + "), [children[index]?.pid ?? 0])),
        ...serverAccounts,
      ],
      async stop() {
        await consumer.stop();
        await transport.close();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startKeyServer() {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const kid = "bench";
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] });
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let counter = 0;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    token: (roles: string[] = ["customer"]) =>
      new SignJWT({ email: `bench-${++counter}@example.com`, name: "Bench", roles })
        .setProtectedHeader({ alg: "ES256", kid })
        .setSubject(crypto.randomUUID())
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(privateKey),
  };
}

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(new URL("/health/ready", url)).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within 60 s`);
}

async function send(url: string, method: string, token: string, body: unknown) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { id?: string } };
}

/** One product with ample stock, and one unit of it in every customer's cart. */
async function stockAndFillCarts(urls: Map<string, string>, admin: string, tokens: string[]): Promise<void> {
  const created = await send(`${urls.get("catalog")}/api/products`, "POST", admin, {
    sku: "BENCH-1",
    name: "Benchmark mug",
    category: "Bench",
    price: { amount: 1250, currency: "EUR" },
  });
  if (created.status !== 201 || !created.body.id) throw new Error(`product: ${created.status}`);
  const stocked = await send(`${urls.get("inventory")}/api/inventory/BENCH-1`, "PUT", admin, {
    onHand: 1_000_000,
  });
  if (stocked.status !== 200) throw new Error(`stock: ${stocked.status}`);
  const item = { productId: created.body.id, quantity: 1 };
  // Cart answers 404 until catalog's ProductCreated has reached it: those customers try again.
  let waiting = tokens;
  while (waiting.length > 0) {
    const batch = waiting.slice(0, 50);
    const answers = await Promise.all(
      batch.map((token) => send(`${urls.get("cart")}/api/cart/items`, "POST", token, item)),
    );
    const refused = answers.find((answer) => answer.status !== 200 && answer.status !== 404);
    if (refused) throw new Error(`cart: ${refused.status}`);
    const unknown = batch.filter((_token, index) => answers[index]?.status === 404);
    waiting = [...unknown, ...waiting.slice(batch.length)];
    if (unknown.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
