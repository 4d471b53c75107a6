import { randomUUID } from "node:crypto";
import { type EventEnvelope, OrderRejected, StockLevelChanged } from "@mercato/contracts";
import { queueDefaults } from "@mercato/platform";
import { deliveredEventOf } from "@mercato/platform/aws/message-body";
import { describe, expect, it } from "vitest";
import { deliveryOf } from "../src/lambda/sqs-delivery.ts";
import { account, region, sqsRecord } from "./support/lambda-events.ts";

const standard = { ...queueDefaults, name: "catalog-stock-levels" };
const fifo = { ...queueDefaults, name: "payments-order-payments", fifo: { groupBy: "detail.orderId" } };
const noVisibility = async () => undefined;

const stockLevel = StockLevelChanged.create(
  { sku: "SKU-1", onHand: 1, reserved: 0, available: 1 },
  { correlationId: "lambda-delivery-test" },
);
const bodyOf = (event: EventEnvelope) => JSON.stringify(deliveredEventOf(event, { account, region }));

describe("the Delivery of an SQS record", () => {
  it("carries the Mercato event, SQS's message id and receive count, and the queue's name", async () => {
    const extended: number[] = [];
    const record = sqsRecord("mercato_catalog-stock-levels", bodyOf(stockLevel), { receiveCount: 3 });
    const delivery = deliveryOf(record, standard, async (ms) => {
      extended.push(ms);
    });
    expect(delivery).toMatchObject({
      messageId: record.messageId,
      queue: "catalog-stock-levels",
      receiveCount: 3,
      event: { id: stockLevel.id, detail: stockLevel.detail, metadata: stockLevel.metadata },
    });
    expect(delivery.groupId).toBeUndefined();
    await delivery.extendVisibility(60_000);
    expect(extended).toEqual([60_000]);
  });

  it("keeps the id the aws transport gave a message it moved (a dead letter redriven)", () => {
    const record = sqsRecord("mercato_catalog-stock-levels", bodyOf(stockLevel));
    record.messageAttributes = {
      "mercato-message-id": { dataType: "String", stringValue: "first-message-id" },
    };
    expect(deliveryOf(record, standard, noVisibility).messageId).toBe("first-message-id");
  });

  it("names a FIFO queue's group as every transport does, from the event", () => {
    const orderId = randomUUID();
    const rejected = OrderRejected.create(
      { orderId, userId: randomUUID(), reason: "out_of_stock" },
      { correlationId: "lambda-delivery-test" },
    );
    const record = sqsRecord("mercato_payments-order-payments.fifo", bodyOf(rejected), {
      groupId: "h-0123456789abcdef",
    });
    expect(deliveryOf(record, fifo, noVisibility).groupId).toBe(orderId);
  });

  it("refuses a record whose receive count is not a whole number from 1, or whose body is not an event", () => {
    for (const count of ["0", "-1", "1.5", "many", ""]) {
      const record = sqsRecord("mercato_catalog-stock-levels", bodyOf(stockLevel));
      record.attributes = { ...record.attributes, ApproximateReceiveCount: count };
      expect(() => deliveryOf(record, standard, noVisibility)).toThrow(
        `SQS record ${record.messageId} has ApproximateReceiveCount ${JSON.stringify(count)}, not a whole number from 1`,
      );
    }
    const notJson = sqsRecord("mercato_catalog-stock-levels", "plain text");
    expect(() => deliveryOf(notJson, standard, noVisibility)).toThrow("SQS message body is not JSON");
    const notMercato = sqsRecord(
      "mercato_catalog-stock-levels",
      JSON.stringify({ version: "0", detail: {} }),
    );
    expect(() => deliveryOf(notMercato, standard, noVisibility)).toThrow(/is not a Mercato event/);
  });
});
