import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import { awsQueueNames } from "@mercato/platform/aws/names";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EventBridgeStandIn,
  startEventBridgeStandIn,
} from "../../../packages/platform/src/bus/aws/testing/event-bridge-stand-in.ts";
import {
  emulatorCredentials,
  emulatorRegion,
  requireSqsEmulator,
  type SqsEmulator,
  startSqsEmulator,
} from "../../../packages/platform/src/bus/aws/testing/sqs-emulator.ts";
import { sqsHandlerOf } from "../src/lambda/sqs-handler.ts";
import { httpApiEvent, lambdaContext, sqsRecordOfMessage } from "./support/lambda-events.ts";
import { admin, type LambdaTestHost, startLambdaTestHost } from "./support/lambda-test-host.ts";

/**
 * The functions on BUS_URL=aws://...: the catalog's events are published with PutEvents to the
 * EventBridge stand-in, which routes them to SQS queues on moto's server; the test takes the part
 * of the event source mapping (receive, hand the records to the SQS handler, delete those not
 * reported), so that what the handler reads is what SQS delivered and its visibility changes go
 * to SQS. The handler's SQS client is its default one, found by AWS_ENDPOINT_URL_SQS.
 */
const emulatorUp = requireSqsEmulator();

describe.runIf(emulatorUp)("the Lambda SQS handler on the aws transport (moto's SQS)", () => {
  const prefix = `lambda-${process.pid}`;
  let emulator: SqsEmulator;
  let sqs: SQSClient;
  let eventBridge: EventBridgeStandIn;
  let lambda: LambdaTestHost;
  let adminToken: string;
  const products = new Map<string, string>();
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string) => {
    saved[name] = process.env[name];
    process.env[name] = value;
  };
  const handler = sqsHandlerOf(async () => lambda.lambdaHost);

  const call = async (method: string, target: string, body?: unknown) => {
    const response = await lambda.http(
      httpApiEvent({
        method,
        target,
        headers: {
          ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.statusCode, body: JSON.parse(response.body ?? "null") };
  };
  const inStock = async (sku: string) =>
    (await call("GET", `/api/products/${products.get(sku)}`)).body.inStock;

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = emulator.client();
    eventBridge = startEventBridgeStandIn(sqs, "class");
    setEnv("AWS_ENDPOINT_URL_SQS", emulator.endpoint);
    setEnv("AWS_ACCESS_KEY_ID", emulatorCredentials.accessKeyId);
    setEnv("AWS_SECRET_ACCESS_KEY", emulatorCredentials.secretAccessKey);
    lambda = await startLambdaTestHost(["gateway", "identity", "catalog"], {
      BUS_URL: `aws://${emulatorRegion}/lambda-bus`,
      MERCATO_BUS_PREFIX: prefix,
    });
    adminToken = (await call("POST", "/api/auth/login", admin)).body.accessToken;
    for (const sku of ["AWS-A", "AWS-B"]) {
      const created = await call("POST", "/api/products", {
        sku,
        name: `Product ${sku}`,
        category: "Tests",
        price: { amount: 1000, currency: "EUR" },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      products.set(sku, created.body.id);
    }
  });

  afterAll(async () => {
    try {
      await lambda?.close();
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

  /** Receives from the queue until `count` messages came, as an event source mapping polls. */
  const receive = async (url: string, count: number): Promise<Message[]> => {
    const messages: Message[] = [];
    await expect
      .poll(async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        messages.push(...Messages);
        return messages.length;
      })
      .toBeGreaterThanOrEqual(count);
    return messages;
  };

  it("runs what SQS delivers, reports the record that failed, and SQS hands that one out again", async () => {
    expect(lambda.lambdaHost.host.transport.kind).toBe("aws");
    const queueName = awsQueueNames(prefix, "catalog-stock-levels", false).queue;
    const { QueueUrl: url = "" } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    const queueArn = Attributes?.QueueArn ?? "";
    const level = (sku: string, available: number) =>
      StockLevelChanged.create(
        { sku, onHand: available, reserved: 0, available },
        { correlationId: `lambda-aws-${sku}` },
      );
    const invalid: EventEnvelope = { ...level("AWS-A", 1), detail: { sku: "AWS-A", available: "lots" } };
    await lambda.lambdaHost.host.transport.publish([level("AWS-A", 4), invalid, level("AWS-B", 2)]);

    const messages = await receive(url, 3);
    expect(messages).toHaveLength(3);
    const records = messages.map((message) => sqsRecordOfMessage(message, queueArn, emulatorRegion));
    const failing = records.find((record) => record.body.includes('"lots"'));
    const published = eventBridge.putEventsSizes.length;

    const response = await handler({ Records: records }, lambdaContext("mercato-catalog"));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing?.messageId }] });
    // As the event source mapping does: the records not reported are deleted.
    const acknowledged = records.filter((record) => record !== failing);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: acknowledged.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
    expect(await inStock("AWS-A")).toBe(true);
    expect(await inStock("AWS-B")).toBe(true);
    // The two ProductUpdated events went out with PutEvents before the invocation returned.
    expect(eventBridge.putEventsSizes.length).toBeGreaterThan(published);
    expect(
      await lambda.lambdaHost.host.services.find((s) => s.definition.name === "catalog")?.outboxBacklog(),
    ).toBe(0);

    // Its visibility was set to catalog's retry delay (at most 200 ms, so 0 or 1 s): it comes back.
    const [again] = await receive(url, 1);
    expect(again?.MessageId).toBe(failing?.messageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe("2");
  });
});
