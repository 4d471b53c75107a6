import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EventBridgeStandIn,
  startEventBridgeStandIn,
} from "../packages/platform/src/bus/aws/testing/event-bridge-stand-in.ts";
import {
  emulatorCredentials,
  requireSqsEmulator,
  type SqsEmulator,
  startSqsEmulator,
} from "../packages/platform/src/bus/aws/testing/sqs-emulator.ts";
import { event } from "../packages/platform/src/bus/test/test-event.ts";
import { type ShopClient, startShop } from "./support/shop.ts";

/**
 * A checkout across services on BUS_URL=aws://...: every event of the saga goes through the AWS
 * transport, PutEvents to the EventBridge stand-in, SQS queues on moto's server (the payments
 * queue is FIFO, so its events take the transport's own FIFO path). The host opens its transport
 * from BUS_URL as in production; the SDK finds the emulator through AWS_ENDPOINT_URL_SQS.
 */
const emulatorUp = requireSqsEmulator();

describe.runIf(emulatorUp)("checkout on the AWS transport", () => {
  let emulator: SqsEmulator;
  let sqs: SQSClient;
  let eventBridge: EventBridgeStandIn;
  let shop: Awaited<ReturnType<typeof startShop>> | undefined;
  let client: ShopClient;
  const saved: Record<string, string | undefined> = {};
  const env = (name: string, value: string) => {
    saved[name] = process.env[name];
    process.env[name] = value;
  };

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = emulator.client();
    eventBridge = startEventBridgeStandIn(sqs, "class");
    env("AWS_ENDPOINT_URL_SQS", emulator.endpoint);
    env("AWS_ACCESS_KEY_ID", emulatorCredentials.accessKeyId);
    env("AWS_SECRET_ACCESS_KEY", emulatorCredentials.secretAccessKey);
    shop = await startShop({
      // A short long poll: moto's server slows down under many waiting polls, and the host stops
      // its services one by one, each waiting for its consumers' polls.
      env: {
        BUS_URL: "aws://us-east-1/mercato-shop",
        MERCATO_BUS_PREFIX: `shop-${process.pid}`,
        MERCATO_BUS_POLL_SECONDS: "1",
      },
    });
    client = shop.client;
  });

  afterAll(async () => {
    try {
      await shop?.close();
    } finally {
      // Even when closing fails: left in place, the class-wide stand-in would answer every
      // EventBridgeClient of the test files this worker runs next.
      eventBridge?.restore();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      sqs?.destroy();
      await emulator?.stop();
    }
  });

  it("confirms an order: stock goes down, the cart is emptied, the timeline is complete", async () => {
    expect(shop?.host.transport.kind).toBe("aws");
    const product = await client.stockedProduct({ sku: "AWS-1", price: 2500, onHand: 10 });
    const buyer = await client.register("Ada");
    await client.addToCart(buyer.token, product.id, 2);

    const placed = await client.checkout(buyer.token);
    expect(placed.status).toBe(202);

    const confirmed = await client.orderReaching(buyer.token, placed.body.id, ["confirmed", "rejected"]);
    expect(confirmed.status).toBe("confirmed");
    await expect
      .poll(() => client.stock(product.sku))
      .toEqual({ sku: product.sku, onHand: 8, reserved: 0, available: 8 });
    await expect
      .poll(async () => (await client.call("GET", "/api/cart", { token: buyer.token })).body.items)
      .toEqual([]);
    const timeline = await client.call("GET", `/api/orders/${placed.body.id}/timeline`, {
      token: buyer.token,
    });
    expect(timeline.body.items.map((item: { type: string }) => item.type)).toEqual([
      "OrderPlaced",
      "StockReserved",
      "PaymentRequested",
      "PaymentAuthorized",
      "OrderConfirmed",
    ]);
    expect(eventBridge.putEventsSizes.length).toBeGreaterThan(0);
  });
  it("lists, redrives and purges a queue's messages through the operations API", async () => {
    const admin = await client.adminToken();
    const transport = shop?.host.transport;
    if (!transport) throw new Error("the shop did not start");
    const queue = "ops-probe";
    await transport.declareQueue({
      name: queue,
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 1,
      backoff: { baseMs: 10, maxMs: 10 },
    });
    await transport.putRule({ name: queue, eventPattern: { source: ["test.ops-probe"] }, queue });
    let failing = true;
    const handled: string[] = [];
    const consumer = await transport.consume(queue, async (delivery) => {
      if (failing) throw new Error("probe down");
      handled.push(delivery.event.id);
    });
    const poison = event("test.ops-probe", "Probe", { n: 1 });
    await transport.publish([poison]);
    const deadLetters = async () =>
      (await client.call("GET", `/api/ops/queues/${queue}/dlq`, { token: admin })).body.items;

    // Every operations call reads every queue's attributes first, which moto's server answers slowly.
    await expect.poll(deadLetters, { timeout: 90_000 }).toHaveLength(1);
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({ event: { id: poison.id }, receiveCount: 1, lastError: "probe down" });
    const listed = await client.call("GET", "/api/ops/queues", { token: admin });
    expect(listed.body.items.find((item: { name: string }) => item.name === queue)).toMatchObject({
      dlqDepth: 1,
      failed: 1,
    });

    failing = false;
    const redriven = await client.call("POST", `/api/ops/queues/${queue}/redrive`, {
      token: admin,
      body: { ids: [letter.id] },
    });
    expect(redriven.body).toEqual({ moved: 1 });
    await expect.poll(() => handled).toEqual([poison.id]);
    expect(await deadLetters()).toEqual([]);

    await consumer.stop();
    await transport.publish([
      event("test.ops-probe", "Probe", { n: 2 }),
      event("test.ops-probe", "Probe", { n: 3 }),
    ]);
    const depth = async () =>
      (await client.call("GET", "/api/ops/queues", { token: admin })).body.items.find(
        (item: { name: string }) => item.name === queue,
      )?.depth;
    await expect.poll(depth).toBe(2);
    expect((await client.call("POST", `/api/ops/queues/${queue}/purge`, { token: admin })).status).toBe(204);
    expect(await depth()).toBe(0);
    expect((await client.call("GET", "/api/ops/queues/no-such-queue/dlq", { token: admin })).status).toBe(
      404,
    );

    await transport.deleteRule(queue);
    await transport.deleteQueue(queue);
  }, 240_000);
});
