import type { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { createAwsTransport } from "../aws/index.ts";
import { type EventBridgeStandIn, startEventBridgeStandIn } from "../aws/testing/event-bridge-stand-in.ts";
import { addMessageMoveStandIn } from "../aws/testing/message-move-stand-in.ts";
import { requireSqsEmulator, type SqsEmulator, startSqsEmulator } from "../aws/testing/sqs-emulator.ts";
import { describeTransportContract } from "./transport-contract.ts";

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
    sqs: { heartbeat: true, knowsOldestWaitingAge: false },
    // moto's SQS scans every message of a queue on each request: 2,000 take minutes on a busy machine.
    bulkEvents: 500,
  });
}
