import { type Delivery, groupIdOf, type QueueConfig } from "@mercato/platform";
import { MESSAGE_ID_ATTRIBUTE } from "@mercato/platform/aws/dead-letters";
import { envelopeOfSqsBody } from "@mercato/platform/aws/message-body";
import type { SQSRecord } from "aws-lambda";

/**
 * The Delivery of an SQS record, made as the aws transport's consumer makes one of a message it
 * received: the same event decoding, message id and FIFO group. Throws, saying what is wrong, for a
 * record that is not a Mercato event.
 */
export function deliveryOf(
  record: SQSRecord,
  queue: QueueConfig,
  extendVisibility: (ms: number) => Promise<void>,
): Delivery {
  const receiveCount = receiveCountOf(record);
  if (receiveCount === undefined) {
    throw new Error(
      `SQS record ${record.messageId} has ApproximateReceiveCount ${JSON.stringify(record.attributes.ApproximateReceiveCount)}, not a whole number from 1`,
    );
  }
  const event = envelopeOfSqsBody(record.body);
  const delivery: Delivery = {
    // A message Mercato moved itself (a dead letter, a redriven one) keeps its first id here.
    messageId: record.messageAttributes[MESSAGE_ID_ATTRIBUTE]?.stringValue ?? record.messageId,
    queue: queue.name,
    event,
    receiveCount,
    extendVisibility,
  };
  // The group as every transport names it; SQS's MessageGroupId is a hash of it when it must be.
  const groupId = queue.fifo ? groupIdOf(event, queue.fifo.groupBy) : undefined;
  if (groupId !== undefined) delivery.groupId = groupId;
  return delivery;
}

/** How many times SQS has handed the record out, this time included; undefined when unreadable. */
export function receiveCountOf(record: SQSRecord): number | undefined {
  const count = Number(record.attributes.ApproximateReceiveCount);
  return Number.isInteger(count) && count >= 1 ? count : undefined;
}
