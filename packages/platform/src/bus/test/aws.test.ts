import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { createAwsTransport } from "../aws/index.ts";
import { type EventBridgeStandIn, startEventBridgeStandIn } from "../aws/testing/event-bridge-stand-in.ts";
import { addMessageMoveStandIn } from "../aws/testing/message-move-stand-in.ts";
import { requireSqsEmulator, type SqsEmulator, startSqsEmulator } from "../aws/testing/sqs-emulator.ts";
import type { Delivery } from "../transport.ts";
import { event } from "./test-event.ts";
import { describeTransportContract } from "./transport-contract.ts";
import { waitFor } from "./wait.ts";

const emulatorUp = requireSqsEmulator();
const runId = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let transports = 0;
let emulator: SqsEmulator;
let sqs: SQSClient;
let eventBridge: EventBridgeStandIn;

if (!emulatorUp) {
  describe("AWS transport", () => {
    it.skip("moto_server is not installed (install it, or set CI=true to fail instead)", () => {});
  });
} else {
  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = emulator.client();
    addMessageMoveStandIn(sqs);
    eventBridge = startEventBridgeStandIn(sqs);
  });

  afterAll(async () => {
    eventBridge?.restore();
    sqs?.destroy();
    await emulator?.stop();
  });

  describeTransportContract("aws", {
    create: async () =>
      createAwsTransport({
        url: "aws://us-east-1/mercato-test",
        prefix: `${runId}-${transports++}`,
        sqs,
        eventBridge: eventBridge.client,
        receiveWaitSeconds: 1,
        logger: silentLogger(),
      }),
    sqs: { heartbeat: true, knowsOldestWaitingAge: false, receivesOneAtATime: true },
    // moto's SQS scans every message of a queue on each request: 2,000 take minutes on a busy machine.
    bulkEvents: 500,
  });

  describe("AWS transport", () => {
    const open = (prefix: string, ruleRefreshMs?: number) =>
      createAwsTransport({
        url: "aws://us-east-1/mercato-test",
        prefix,
        sqs,
        eventBridge: eventBridge.client,
        receiveWaitSeconds: 1,
        logger: silentLogger(),
        ...(ruleRefreshMs === undefined ? {} : { ruleRefreshMs }),
      });

    it("routes events published in one process to queues and rules declared in another, FIFO ones too", async () => {
      const prefix = `${runId}-${transports++}`;
      const service = open(prefix);
      const publisher = open(prefix, 0);
      try {
        const settings = {
          visibilityTimeoutMs: 5_000,
          maxReceiveCount: 3,
          backoff: { baseMs: 20, maxMs: 100 },
        };
        await service.declareQueue({ ...settings, name: "orders", fifo: { groupBy: "detail.orderId" } });
        await service.declareQueue({ ...settings, name: "audit" });
        await service.putRule({
          name: "placed/orders",
          eventPattern: { source: ["mercato.orders"] },
          queue: "orders",
        });
        await service.putRule({ name: "all", eventPattern: { source: ["mercato.orders"] }, queue: "audit" });
        const seen: Delivery[] = [];
        const audited: Delivery[] = [];
        await service.consume("orders", async (delivery) => {
          seen.push(delivery);
        });
        await service.consume("audit", async (delivery) => {
          audited.push(delivery);
        });
        expect((await publisher.listRules()).map((rule) => rule.name)).toEqual(["all", "placed/orders"]);
        const events = [1, 2, 3].map((n) => event("mercato.orders", "OrderPlaced", { orderId: "o-1", n }));

        await publisher.publish(events);

        await waitFor(() => seen.length === 3 && audited.length === 3, "the deliveries");
        expect(seen.map((delivery) => delivery.event)).toEqual(events);
        expect(seen.map((delivery) => delivery.groupId)).toEqual(["o-1", "o-1", "o-1"]);
        expect(audited.map((delivery) => delivery.event.id).sort()).toEqual(events.map((e) => e.id).sort());
      } finally {
        await publisher.close();
        await service.close();
      }
    });
  });
}
