import { randomUUID } from "node:crypto";
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type EventEnvelope, OrderRejected, StockLevelChanged } from "@mercato/contracts";
import { deliveredEventOf } from "@mercato/platform/aws/message-body";
import { awsQueueNames } from "@mercato/platform/aws/names";
import type { SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sqsHandlerOf } from "../src/lambda/sqs-handler.ts";
import { account, httpApiEvent, lambdaContext, region, sqsRecord } from "./support/lambda-events.ts";
import { admin, type LambdaTestHost, startLambdaTestHost } from "./support/lambda-test-host.ts";

/** The catalog's subscription to inventory's stock levels, by its SQS name. */
const stockLevels = awsQueueNames("mercato", "catalog-stock-levels", false).queue;
const stockLevelsUrl = `https://sqs.${region}.amazonaws.com/${account}/${stockLevels}`;
/** ProductUpdated events the catalog publishes, kept on a queue of the test's (not consumed). */
const recorderQueue = "lambda-test-product-updates";

/** SQS as the handler's client sees it: the queue URLs and visibility changes of the records. */
const sqs = mockClient(SQSClient);
const sqsClient = (clientRegion: string) =>
  new SQSClient({ region: clientRegion, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

beforeEach(() => {
  sqs.reset();
  sqs.on(GetQueueUrlCommand).callsFake(async (input: { QueueName: string }) => ({
    QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${input.QueueName}`,
  }));
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

afterAll(() => {
  sqs.restore();
});

describe("the Lambda SQS handler (event source mapping with ReportBatchItemFailures)", () => {
  let lambda: LambdaTestHost;
  let adminToken: string;
  const products = new Map<string, string>();
  const handler = sqsHandlerOf(async () => lambda.lambdaHost, { sqsClient });

  const call = async (method: string, target: string, body?: unknown) => {
    const response = await lambda.http(
      httpApiEvent({
        method,
        target,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.statusCode, body: JSON.parse(response.body ?? "null") };
  };
  const inStock = async (sku: string) =>
    (await call("GET", `/api/products/${products.get(sku)}`)).body.inStock;
  const recorded = async () =>
    (await lambda.lambdaHost.host.transport.stats()).find((stats) => stats.name === recorderQueue)?.depth;
  const catalogOutbox = () =>
    lambda.lambdaHost.host.services.find((service) => service.definition.name === "catalog")?.outboxBacklog();

  const stockLevel = (detail: { sku: string; available: number }, time?: string): EventEnvelope => {
    const envelope = StockLevelChanged.create(
      { sku: detail.sku, onHand: detail.available, reserved: 0, available: detail.available },
      { correlationId: `lambda-test-${detail.sku}` },
    );
    return time ? { ...envelope, time } : envelope;
  };
  const bodyOf = (envelope: EventEnvelope) => JSON.stringify(deliveredEventOf(envelope, { account, region }));

  beforeAll(async () => {
    lambda = await startLambdaTestHost(["gateway", "identity", "catalog"]);
    const { transport } = lambda.lambdaHost.host;
    await transport.declareQueue({
      name: recorderQueue,
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    await transport.putRule({
      name: recorderQueue,
      eventPattern: { source: ["mercato.catalog"], "detail-type": ["ProductUpdated"] },
      queue: recorderQueue,
    });
    const signIn = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/auth/login",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(admin),
      }),
    );
    adminToken = JSON.parse(signIn.body ?? "").accessToken;
    for (const sku of ["SQS-A", "SQS-B"]) {
      const created = await call("POST", "/api/products", {
        sku,
        name: `Product ${sku}`,
        category: "Tests",
        price: { amount: 1000, currency: "EUR" },
      });
      expect(created.status).toBe(201);
      products.set(sku, created.body.id);
    }
  });

  afterAll(async () => {
    await lambda?.close();
  });

  let acknowledged: SQSRecord;
  let acknowledgedEvent: EventEnvelope;

  it("reports exactly the record whose handler threw, and the others' effects are committed and published", async () => {
    expect(await inStock("SQS-A")).toBe(false);
    expect(await inStock("SQS-B")).toBe(false);
    acknowledgedEvent = stockLevel({ sku: "SQS-A", available: 5 });
    acknowledged = sqsRecord(stockLevels, bodyOf(acknowledgedEvent));
    // A detail the event's schema refuses: the subscription's handler throws.
    const invalid = {
      ...stockLevel({ sku: "SQS-A", available: 1 }),
      detail: { sku: "SQS-A", available: "lots" },
    };
    const failing = sqsRecord(stockLevels, bodyOf(invalid), { receiveCount: 2 });
    const other = sqsRecord(stockLevels, bodyOf(stockLevel({ sku: "SQS-B", available: 3 })));

    const response = await handler(
      { Records: [acknowledged, failing, other] },
      lambdaContext("mercato-catalog"),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
    expect(await inStock("SQS-A")).toBe(true);
    expect(await inStock("SQS-B")).toBe(true);
    // Each flip published ProductUpdated before the invocation returned.
    expect(await catalogOutbox()).toBe(0);
    expect(await recorded()).toBe(2);
    // The failed record comes back after the queue's backoff (catalog's defaults: up to 400 ms at
    // the second receive), not after the whole visibility timeout.
    expect(sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input)).toEqual([
      { QueueName: stockLevels, QueueOwnerAWSAccountId: account },
    ]);
    const changes = sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
    expect(changes).toEqual([
      {
        QueueUrl: stockLevelsUrl,
        ReceiptHandle: failing.receiptHandle,
        VisibilityTimeout: expect.any(Number),
      },
    ]);
    expect(changes[0]?.VisibilityTimeout).toBeGreaterThanOrEqual(0);
    expect(changes[0]?.VisibilityTimeout).toBeLessThanOrEqual(1);
  });

  it("acknowledges a replay of an acknowledged record and changes nothing (the idempotent inbox)", async () => {
    // SQS delivers the same message again (its deletion was lost).
    const replay = { ...acknowledged, receiptHandle: `${acknowledged.receiptHandle}-2` };
    replay.attributes = { ...acknowledged.attributes, ApproximateReceiveCount: "2" };
    // The same Mercato event on a message of its own, here with a later and different stock level
    // that the handler would apply if it ran: the inbox knows the event id and skips it.
    const copy = sqsRecord(
      stockLevels,
      bodyOf({
        ...acknowledgedEvent,
        time: new Date(Date.parse(acknowledgedEvent.time) + 60_000).toISOString(),
        detail: { sku: "SQS-A", onHand: 0, reserved: 0, available: 0 },
      }),
    );

    const response = await handler({ Records: [replay, copy] }, lambdaContext("mercato-catalog"));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await inStock("SQS-A")).toBe(true);
    expect(await recorded()).toBe(2);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });

  it("reports a record whose body is not a Mercato event, and one from a queue the function does not serve", async () => {
    const notAnEvent = sqsRecord(stockLevels, '{"hello":"world"}');
    const notJson = sqsRecord(stockLevels, "plain text");
    const elsewhere = sqsRecord(
      "mercato_orders-saga-answers",
      bodyOf(stockLevel({ sku: "SQS-B", available: 0 })),
    );
    const malformedArn = { ...sqsRecord(stockLevels, bodyOf(stockLevel({ sku: "SQS-B", available: 0 }))) };
    malformedArn.eventSourceARN = "arn:aws:sns:eu-west-1:123456789012:topic";

    const response = await handler(
      { Records: [notAnEvent, notJson, elsewhere, malformedArn] },
      lambdaContext("mercato-catalog"),
    );

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [notAnEvent.messageId, notJson.messageId, elsewhere.messageId, malformedArn.messageId].sort(),
    );
    expect(await inStock("SQS-B")).toBe(true);
    // Only the records of a queue it serves are given the queue's backoff.
    expect(
      sqs
        .commandCalls(ChangeMessageVisibilityCommand)
        .map((call) => call.args[0].input.ReceiptHandle)
        .sort(),
    ).toEqual([notAnEvent.receiptHandle, notJson.receiptHandle].sort());
  });

  it("still reports a failed record when shortening its visibility fails", async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error("AccessDenied"));
    const failing = sqsRecord(stockLevels, "plain text");
    const response = await handler({ Records: [failing] }, lambdaContext("mercato-catalog"));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
  });
});

describe("the Lambda SQS handler on a FIFO queue", () => {
  /** Payments' saga steps after the authorization, FIFO per order. */
  const orderPayments = awsQueueNames("mercato", "payments-order-payments", true).queue;
  let lambda: LambdaTestHost;
  const handler = sqsHandlerOf(async () => lambda.lambdaHost, { sqsClient });

  beforeAll(async () => {
    lambda = await startLambdaTestHost(["payments"]);
  });

  afterAll(async () => {
    await lambda?.close();
  });

  const rejected = (orderId: string, reason: string) =>
    ({
      ...OrderRejected.create(
        { orderId, userId: randomUUID(), reason: "out_of_stock" },
        { correlationId: `lambda-test-${orderId}` },
      ),
      detail: { orderId, userId: randomUUID(), reason },
    }) as EventEnvelope;
  const record = (event: EventEnvelope) =>
    sqsRecord(orderPayments, JSON.stringify(deliveredEventOf(event, { account, region })), {
      groupId: String((event.detail as { orderId: string }).orderId),
    });
  const handledEventIds = async () => {
    const payments = lambda.lambdaHost.host.services.find(
      (service) => service.definition.name === "payments",
    );
    const rows = await payments?.context.database.script((session) =>
      session.query<{ event_id: string }>("SELECT event_id FROM inbox WHERE consumer = $1", [
        "payments-order-payments",
      ]),
    );
    return (rows ?? []).map((row) => row.event_id);
  };

  it("stops at the first failure and reports it with every record after it, unrun", async () => {
    const first = rejected(randomUUID(), "out_of_stock");
    const failing = rejected(randomUUID(), "no-such-reason");
    const after = rejected(randomUUID(), "out_of_stock");
    const records = [record(first), record(failing), record(after)];

    const response = await handler({ Records: records }, lambdaContext("mercato-payments"));

    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: records[1]?.messageId },
        { itemIdentifier: records[2]?.messageId },
      ],
    });
    expect(await handledEventIds()).toEqual([first.id]);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.ReceiptHandle),
    ).toEqual([records[1]?.receiptHandle]);
  });
});
