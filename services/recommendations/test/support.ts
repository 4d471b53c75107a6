import { randomUUID } from "node:crypto";
import {
  CartItemAdded,
  type EventEnvelope,
  OrderConfirmed,
  ProductCreated,
  ProductViewed,
  StockLevelChanged,
} from "@mercato/contracts";
import { configureService } from "@mercato/platform";
import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { expect } from "vitest";
import { type RecommendationsSettings, recommendationsService } from "../src/index.ts";

export const learningQueue = "recommendations-learning";
export const replicaQueue = "recommendations-catalog-replica";

/** Recommendations alone, on the topology asked for, with settings given where a test needs them. */
export function startRecommendationsHost(
  options: { distributed?: boolean; settings?: Partial<RecommendationsSettings> } = {},
): Promise<TestHost> {
  return startTestHost({
    services: [configureService(recommendationsService, { settings: options.settings ?? {} })],
    distributed: options.distributed ?? false,
  });
}

/**
 * Publishes events as the other services would and waits until every one of them was handled:
 * queues idle and outboxes (the views route's) sent.
 */
export async function publish(test: TestHost, events: EventEnvelope[]): Promise<void> {
  await test.host.transport.publish(events);
  await settled(test);
}

export async function settled(test: TestHost): Promise<void> {
  await expect.poll(() => test.settled(), { interval: 10 }).toBe(true);
  for (const queue of [learningQueue, replicaQueue]) {
    const stats = await test.queueStats(queue);
    expect({ queue, failed: stats.failed, dlq: stats.dlqDepth }).toEqual({ queue, failed: 0, dlq: 0 });
  }
}

/** The same event as if it had happened `msAgo` milliseconds ago. */
export function at<T extends EventEnvelope>(event: T, msAgo: number): T {
  return { ...event, time: new Date(Date.now() - msAgo).toISOString() };
}

const context = { correlationId: "test" };

export interface TestProduct {
  productId: string;
  sku: string;
  name: string;
}

export function productCreated(name: string, options: { inStock?: boolean; image?: string } = {}) {
  const productId = randomUUID();
  return ProductCreated.create(
    {
      productId,
      sku: `SKU-${productId.slice(-12)}`,
      name,
      description: "",
      category: "tests",
      price: { amount: 1000, currency: "EUR" },
      attributes: {},
      images: options.image ? [options.image] : [],
      inStock: options.inStock ?? true,
    },
    context,
  );
}

/** Products the replica knows, in stock, one per name in the order given. */
export async function products<const Names extends string[]>(
  test: TestHost,
  ...names: Names
): Promise<{ [Index in keyof Names]: TestProduct }> {
  const created = names.map((name) => productCreated(name));
  await publish(test, created);
  return created.map(({ detail: { productId, sku, name } }) => ({ productId, sku, name })) as {
    [Index in keyof Names]: TestProduct;
  };
}

export function stockLevel(sku: string, available: number) {
  return StockLevelChanged.create({ sku, onHand: available, reserved: 0, available }, context);
}

export function orderOf(userId: string, bought: TestProduct[]) {
  const items = bought.map((product) => ({
    productId: product.productId,
    sku: product.sku,
    name: product.name,
    quantity: 1,
    unitPrice: { amount: 1000, currency: "EUR" },
    lineTotal: { amount: 1000, currency: "EUR" },
  }));
  return OrderConfirmed.create(
    { orderId: randomUUID(), userId, items, total: { amount: 1000 * items.length, currency: "EUR" } },
    context,
  );
}

export function cartAdd(userId: string, product: TestProduct) {
  return CartItemAdded.create(
    { cartId: `cart-${userId}`, userId, productId: product.productId, quantity: 1 },
    context,
  );
}

export function viewOf(product: TestProduct, viewer: { userId?: string; sessionId?: string }) {
  return ProductViewed.create({ productId: product.productId, ...viewer }, context);
}

/** Names and reasons of a recommendation answer, for short assertions. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
export function shown(body: any): [string, string][] {
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  return body.items.map((item: any) => [item.product.name, item.reason]);
}
