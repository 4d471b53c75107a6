import type { SQSClient } from "@aws-sdk/client-sqs";
import { type Delivery, type Logger, retryDelayMs } from "@mercato/platform";
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { containerHost, type LambdaHost } from "./lambda-host.ts";
import { drainDeadline, drainOutboxes } from "./outbox-drain.ts";
import { deliveryOf, receiveCountOf } from "./sqs-delivery.ts";
import { parseSqsQueueArn, type SqsQueueArn } from "./sqs-queue-arn.ts";
import { SqsVisibility } from "./sqs-visibility.ts";
import { type SubscriptionQueue, subscriptionQueuesBySqsName } from "./subscription-queues.ts";

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface SqsHandlerOptions {
  /** The SQS client of a region, for ChangeMessageVisibility; the SDK's default chain unless given. */
  sqsClient?: (region: string) => SQSClient;
}

/**
 * Handles the records an SQS event source mapping (with ReportBatchItemFailures) hands in: each is
 * decoded and run by the subscription of its queue exactly as the transport's consumer would run it
 * (the same idempotent inbox, transaction and outbox, group-committed), and the records whose
 * handler threw are reported in `batchItemFailures`, so that Lambda deletes the others and SQS
 * delivers these again after the queue's backoff, and to its DLQ after maxReceiveCount receives.
 * A FIFO queue's batch stops at its first failure, which is reported with every record after it,
 * so that no message of a group overtakes one before it. Before returning, the outboxes are
 * published (`drainOutboxes`).
 */
export function sqsHandlerOf(
  lambdaHost: () => Promise<LambdaHost>,
  options: SqsHandlerOptions = {},
): SqsHandler {
  const visibility = new SqsVisibility(options.sqsClient);
  const indexes = new WeakMap<LambdaHost, Map<string, SubscriptionQueue>>();
  return async (event, context) => {
    const opened = await lambdaHost();
    const queues = indexes.get(opened) ?? subscriptionQueuesBySqsName(opened.host, opened.config.busPrefix);
    indexes.set(opened, queues);
    const run = (record: SQSRecord) => handleRecord(record, queues, visibility, opened.logger);
    const failed = new Set<string>();
    const fifo = event.Records.some((record) => record.eventSourceARN.endsWith(".fifo"));
    if (fifo) {
      for (const [index, record] of event.Records.entries()) {
        if (await run(record)) continue;
        for (const rest of event.Records.slice(index)) failed.add(rest.messageId);
        break;
      }
    } else {
      const outcomes = await Promise.all(event.Records.map(run));
      event.Records.forEach((record, index) => {
        if (!outcomes[index]) failed.add(record.messageId);
      });
    }
    await drainOutboxes(opened.host, drainDeadline(context));
    const batchItemFailures: SQSBatchItemFailure[] = [...failed].map((itemIdentifier) => ({
      itemIdentifier,
    }));
    return { batchItemFailures };
  };
}

/** The handler a function's configuration names: `sqs-handler.handler`. */
export const handler: SqsHandler = sqsHandlerOf(containerHost);

/** Runs one record; true when it is done with (acknowledged), false when it must come again. */
async function handleRecord(
  record: SQSRecord,
  queues: Map<string, SubscriptionQueue>,
  visibility: SqsVisibility,
  logger: Logger,
): Promise<boolean> {
  let arn: SqsQueueArn;
  let target: SubscriptionQueue;
  try {
    arn = parseSqsQueueArn(record.eventSourceARN);
    target = subscriptionOf(arn, queues);
  } catch (error) {
    logger.error(
      { err: error, messageId: record.messageId },
      "SQS record from a queue this function does not serve",
    );
    return false;
  }
  const { service, queue, handler } = target;
  let delivery: Delivery;
  try {
    delivery = deliveryOf(record, queue, (ms) => visibility.change(arn, record.receiptHandle, ms));
  } catch (error) {
    service.logger.warn({ err: error, queue: queue.name, messageId: record.messageId }, "SQS record refused");
    await retryAfterBackoff(record, arn, target, receiveCountOf(record) ?? 1, visibility);
    return false;
  }
  try {
    await handler(delivery);
    return true;
  } catch {
    // The subscription's handler has logged the failure with the event.
    await retryAfterBackoff(record, arn, target, delivery.receiveCount, visibility);
    return false;
  }
}

function subscriptionOf(arn: SqsQueueArn, queues: Map<string, SubscriptionQueue>): SubscriptionQueue {
  const target = queues.get(arn.name);
  if (!target) {
    const served = [...queues.keys()].join(", ") || "none";
    throw new Error(
      `SQS queue ${arn.name} is not a subscription queue of this function's services (${served})`,
    );
  }
  return target;
}

/**
 * Makes a failed record visible again after the queue's retry delay, as the transport would,
 * rather than after the whole visibility timeout. When that call fails the record still comes
 * back, only later.
 */
async function retryAfterBackoff(
  record: SQSRecord,
  arn: SqsQueueArn,
  { service, queue }: SubscriptionQueue,
  receiveCount: number,
  visibility: SqsVisibility,
): Promise<void> {
  try {
    await visibility.change(arn, record.receiptHandle, retryDelayMs(receiveCount, queue.backoff));
  } catch (error) {
    service.logger.warn(
      { err: error, queue: queue.name, messageId: record.messageId },
      "could not shorten the failed record's visibility; it is retried after the visibility timeout",
    );
  }
}
