import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type EventEnvelope, type Money, ProductCreated } from "@mercato/contracts";
import { type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { createTestAuthority, type TestAuthority } from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { expect } from "vitest";
import { cartService } from "../src/index.ts";

export const replicaQueue = "cart-product-replica";

export interface CartHost {
  host: Host;
  authority: TestAuthority;
  close(): Promise<void>;
}

/** The cart service alone on PGlite and the embedded bus, with a test token authority. */
export async function startCartHost(): Promise<CartHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-cart-"));
  const authority = await createTestAuthority();
  const host = await startHost({
    config: { ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }), port: 0 },
    services: [cartService],
    logger: silentLogger(),
    auth: authority.verifier,
  });
  return {
    host,
    authority,
    async close() {
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape.
  body: any;
}

/** One HTTP call; `raw` sends the body bytes as given. */
export async function call(
  host: Host,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const response = await fetch(new URL(url, host.url), {
    method,
    headers: {
      ...(hasBody ? { "content-type": "application/json" } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Messages the replica's queue has acknowledged so far. */
export async function replicaProcessed(host: Host): Promise<number> {
  const stats = await host.transport.stats();
  return stats.find((queue) => queue.name === replicaQueue)?.processed ?? 0;
}

/** Publishes catalog events as the catalog would, and waits until the cart has handled them all. */
export async function publishCatalogEvents(host: Host, events: EventEnvelope[]): Promise<void> {
  const before = await replicaProcessed(host);
  await host.transport.publish(events);
  await expect
    .poll(() => replicaProcessed(host), { timeout: 5_000, interval: 10 })
    .toBeGreaterThanOrEqual(before + events.length);
}

export function productCreated(
  overrides: { productId?: string; sku?: string; name?: string; price?: Money } = {},
): EventEnvelope<{ productId: string; sku: string; name: string; price: Money }> {
  const productId = overrides.productId ?? uuidv7();
  return ProductCreated.create(
    {
      productId,
      sku: overrides.sku ?? `SKU-${productId.slice(-8)}`,
      name: overrides.name ?? "Test product",
      description: "",
      category: "tests",
      price: overrides.price ?? { amount: 1250, currency: "EUR" },
      attributes: {},
      images: [],
      inStock: true,
    },
    { correlationId: "test" },
  );
}

/** A product the cart knows: created through the catalog event, handled before this resolves. */
export async function knownProduct(
  host: Host,
  overrides: { name?: string; price?: Money } = {},
): Promise<{ productId: string; sku: string; name: string; price: Money }> {
  const event = productCreated(overrides);
  await publishCatalogEvents(host, [event]);
  return event.detail;
}
