import { type EventEnvelope, type Money, OrderConfirmed, ProductCreated } from "@mercato/contracts";
import type { Host, QueueStats } from "@mercato/platform";
import {
  type Answer,
  type CallOptions,
  call as callUrl,
  requireServer,
  startTestHost,
  type TestAuthority,
} from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { cartService } from "../src/index.ts";

export const replicaQueue = "cart-product-replica";
export const orderConfirmedQueue = "cart-order-confirmed";

export interface CartHost {
  host: Host;
  authority: TestAuthority;
  close(): Promise<void>;
}

const distributedAvailable = (await requireServer("postgres")) && (await requireServer("nats"));

/** Embedded always; distributed (PostgreSQL and NATS JetStream) when both servers answer. */
export const topologies = [
  { name: "embedded (PGlite, embedded bus)", distributed: false, available: true },
  { name: "distributed (PostgreSQL, NATS JetStream)", distributed: true, available: distributedAvailable },
];

/**
 * Declares `suite` once per topology (`title` may use `$name`), each against a cart host started
 * before its tests and closed after them; `cart` is filled in when the host is up.
 */
export function describeOnEveryTopology(title: string, suite: (cart: CartHost) => void): void {
  describe.each(topologies)(title, ({ distributed, available }) => {
    describe.skipIf(!available)("", () => {
      const cart = {} as CartHost;
      beforeAll(async () => {
        Object.assign(cart, await startCartHost({ distributed }));
      });
      afterAll(async () => {
        await cart.close?.();
      });
      suite(cart);
    });
  });
}

/** The cart service alone, with a test token authority, on the topology asked for. */
export async function startCartHost(options: { distributed: boolean }): Promise<CartHost> {
  const started = await startTestHost({ services: [cartService], distributed: options.distributed });
  if (!started.authority) throw new Error("the cart host signs its own tokens");
  return { host: started.host, authority: started.authority, close: started.close };
}

export type { Answer };

/** One HTTP call; `raw` sends the body bytes as given. */
export function call(host: Host, method: string, url: string, options: CallOptions = {}): Promise<Answer> {
  return callUrl(host.url, method, url, options);
}

export async function queueStats(host: Host, name: string): Promise<QueueStats> {
  const stats = await host.transport.stats();
  const queue = stats.find((candidate) => candidate.name === name);
  if (!queue) throw new Error(`No queue ${name}`);
  return queue;
}

/** True once the queue holds nothing waiting, running or due for a retry. */
export async function queueDrained(host: Host, name: string): Promise<boolean> {
  const queue = await queueStats(host, name);
  return queue.depth + queue.inFlight + queue.delayed === 0;
}

/**
 * Publishes catalog events as the catalog would, and waits until the cart has handled them all.
 * Waits for the queue to drain rather than counting acknowledgements: a transport may drop a
 * republished event id before it reaches the queue (JetStream's duplicate window does).
 */
export async function publishCatalogEvents(host: Host, events: EventEnvelope[]): Promise<void> {
  await host.transport.publish(events);
  await expect.poll(() => queueDrained(host, replicaQueue), { interval: 10 }).toBe(true);
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

/**
 * Publishes order events as orders would, and waits until the cart has acknowledged every one of
 * them: each has an id of its own, so none is lost to a duplicate window, and an event whose
 * handler fails is never acknowledged, so the wait times out instead of passing.
 */
export async function publishOrderEvents(host: Host, events: EventEnvelope[]): Promise<void> {
  const before = (await queueStats(host, orderConfirmedQueue)).processed;
  await host.transport.publish(events);
  await expect
    .poll(
      async () => {
        const queue = await queueStats(host, orderConfirmedQueue);
        return queue.processed - before === events.length && (await queueDrained(host, orderConfirmedQueue));
      },
      { interval: 10 },
    )
    .toBe(true);
}

/** A cart line as GET /api/cart answers it, which is what orders copies into the order. */
export interface SnapshotLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

/** The OrderConfirmed orders publishes for an order of `userId` made of these snapshot lines. */
export function orderConfirmed(userId: string, items: SnapshotLine[]) {
  const currency = items[0]?.lineTotal.currency ?? "EUR";
  const amount = items.reduce((sum, item) => sum + item.lineTotal.amount, 0);
  return OrderConfirmed.create(
    { orderId: uuidv7(), userId, items, total: { amount, currency } },
    { correlationId: "test" },
  );
}
