import { randomUUID } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { DeadLetter, DeliveryAttempt } from "../transport.ts";
import { envelopeOfSqsBody } from "./message-body.ts";
import { sqsId } from "./publisher.ts";
import type { QueueCounters } from "./queue-counters.ts";
import type { AwsQueue } from "./queue-directory.ts";
import { awsErrorName, BATCH_SIZE, chunks } from "./sqs-limits.ts";

/** Message attributes Mercato adds to the messages it sends itself (dead letters, redriven ones). */
export const MESSAGE_ID_ATTRIBUTE = "mercato-message-id";
const RECEIVE_COUNT_ATTRIBUTE = "mercato-receive-count";
const ATTEMPTS_ATTRIBUTE = "mercato-attempts";
/** What a dead letter that SQS's redrive policy moved records: its receives timed out. */
const TIMEOUT_ERROR = "no acknowledgement within the visibility timeout";
/** How long a listed dead letter stays hidden from other readers while the listing runs. */
const PEEK_SECONDS = 30;
const ERROR_LENGTH = 2_000;
const MOVE_TASK_POLL_MS = 200;

/** The attributes every receive asks for. */
export const RECEIVE_ATTRIBUTES: Pick<
  ReceiveMessageCommandInput,
  "MessageSystemAttributeNames" | "MessageAttributeNames"
> = {
  MessageSystemAttributeNames: [
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SentTimestamp",
    "MessageGroupId",
  ],
  MessageAttributeNames: [MESSAGE_ID_ATTRIBUTE, RECEIVE_COUNT_ATTRIBUTE, ATTEMPTS_ATTRIBUTE],
};

/** Mercato's stable id of a message: kept in an attribute once Mercato has moved it, else SQS's. */
export function messageIdOf(message: Message): string {
  return message.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue ?? message.MessageId ?? "";
}

function text(value: string): MessageAttributeValue {
  return { DataType: "String", StringValue: value };
}

function isoOf(timestamp: string | undefined): string {
  const ms = Number(timestamp);
  return new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now()).toISOString();
}

/** A FIFO message's own group, for the copies Mercato sends of it. */
function groupOf(message: Message): string {
  return message.Attributes?.MessageGroupId ?? "-";
}

/**
 * The DLQ side of a queue: moving a message that failed its last receive (with its attempts),
 * listing dead letters without consuming them, redrive and purge.
 */
export class DeadLetterOffice {
  constructor(private readonly sqs: SQSClient) {}

  /**
   * Moves a message whose last receive failed: a copy with its attempts goes to the DLQ, then the
   * original is deleted (a crash in between leaves it in both, never in neither). SQS's redrive
   * policy moves the messages whose receives all timed out; this keeps the handlers' errors.
   */
  async move(
    queue: AwsQueue,
    message: Message,
    receiveCount: number,
    attempts: DeliveryAttempt[],
  ): Promise<void> {
    const fifo = queue.config.fifo !== undefined;
    const messageId = messageIdOf(message);
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.dlqUrl,
        MessageBody: message.Body ?? "",
        MessageAttributes: {
          [MESSAGE_ID_ATTRIBUTE]: text(messageId),
          [RECEIVE_COUNT_ATTRIBUTE]: { DataType: "Number", StringValue: String(receiveCount) },
          [ATTEMPTS_ATTRIBUTE]: text(
            JSON.stringify(
              attempts.map((attempt) => ({ ...attempt, error: attempt.error.slice(0, ERROR_LENGTH) })),
            ),
          ),
        },
        ...(fifo
          ? {
              MessageGroupId: groupOf(message),
              MessageDeduplicationId: sqsId(`${messageId}:${receiveCount}`),
            }
          : {}),
      }),
    );
    await this.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
    );
  }

  /** The dead letters, oldest first, read and made visible again (see `#peek`). */
  async list(queue: AwsQueue, limit: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    await this.#peek(queue.dlqUrl, (message) => {
      letters.push(this.#letterOf(queue, message));
      return letters.length < limit ? "keep" : "stop";
    });
    return letters
      .sort((a, b) => a.firstFailedAt.localeCompare(b.firstFailedAt) || a.id.localeCompare(b.id))
      .slice(0, limit);
  }

  /** Moves dead letters back to the queue as new messages; all of them with SQS's message move task. */
  async redrive(queue: AwsQueue, ids?: string[]): Promise<number> {
    if (ids === undefined) return this.#moveAll(queue);
    const wanted = new Set(ids);
    let moved = 0;
    await this.#peek(queue.dlqUrl, async (message) => {
      const messageId = messageIdOf(message);
      if (!wanted.has(messageId)) return "keep";
      const fifo = queue.config.fifo !== undefined;
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: message.Body ?? "",
          MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: text(messageId) },
          ...(fifo ? { MessageGroupId: groupOf(message), MessageDeduplicationId: randomUUID() } : {}),
        }),
      );
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      wanted.delete(messageId);
      moved++;
      return wanted.size > 0 ? "taken" : "stop-taken";
    });
    return moved;
  }

  /**
   * Purges the queue (not its DLQ) and returns how many messages it held just before, as SQS
   * approximates them. SQS allows one purge of a queue every 60 seconds.
   */
  async purge(queue: AwsQueue, counters: QueueCounters): Promise<number> {
    const before = await this.count(queue.url);
    try {
      await this.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
    } catch (error) {
      if (awsErrorName(error) === "PurgeQueueInProgress") {
        throw new Error(
          `Queue "${queue.config.name}" was purged less than 60 seconds ago; SQS allows one purge every 60 seconds`,
        );
      }
      throw error;
    }
    counters.retryDueAt.clear();
    return before.visible + before.notVisible + before.delayed;
  }

  async count(url: string): Promise<{ visible: number; notVisible: number; delayed: number }> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      notVisible: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  #letterOf(queue: AwsQueue, message: Message): DeadLetter {
    const attributes = message.MessageAttributes ?? {};
    const recorded = attributes[ATTEMPTS_ATTRIBUTE]?.StringValue;
    const attempts: DeliveryAttempt[] = recorded ? (JSON.parse(recorded) as DeliveryAttempt[]) : [];
    const firstReceive = isoOf(message.Attributes?.ApproximateFirstReceiveTimestamp);
    return {
      id: messageIdOf(message),
      event: envelopeOfSqsBody(message.Body ?? ""),
      // Moved by the redrive policy: after exactly maxReceiveCount receives.
      receiveCount: Number(attributes[RECEIVE_COUNT_ATTRIBUTE]?.StringValue ?? queue.config.maxReceiveCount),
      attempts,
      lastError: attempts.at(-1)?.error ?? TIMEOUT_ERROR,
      firstFailedAt: attempts[0]?.at ?? firstReceive,
    };
  }

  /**
   * Reads a DLQ without consuming it. SQS has no peek: messages are received with a visibility
   * timeout, so that one listing sees each once, then made visible again. Meanwhile other readers
   * of the DLQ (another listing, a redrive) do not see them, and each read adds one to SQS's
   * receive count of the dead letter (which Mercato does not use). `visit` may take a message
   * (it deletes it) or stop the listing.
   */
  async #peek(
    url: string,
    visit: (
      message: Message,
    ) => "keep" | "stop" | "taken" | "stop-taken" | Promise<"keep" | "taken" | "stop-taken">,
  ): Promise<void> {
    const expected = await this.count(url);
    const held: string[] = [];
    let seen = 0;
    let stopped = false;
    try {
      while (!stopped && seen < expected.visible + expected.notVisible) {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: BATCH_SIZE,
            VisibilityTimeout: PEEK_SECONDS,
            // A long poll asks every SQS server: a short one may miss messages of a small queue.
            WaitTimeSeconds: 1,
            ...RECEIVE_ATTRIBUTES,
          }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          seen++;
          const outcome = stopped ? "keep" : await visit(message);
          if (outcome === "keep" || outcome === "stop") held.push(message.ReceiptHandle ?? "");
          if (outcome === "stop" || outcome === "stop-taken") stopped = true;
        }
      }
    } finally {
      for (const batch of chunks(held)) {
        await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: batch.map((ReceiptHandle, index) => ({
              Id: String(index),
              ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      }
    }
  }

  /** StartMessageMoveTask, then ListMessageMoveTasks until that task has finished. */
  async #moveAll(queue: AwsQueue): Promise<number> {
    const { visible, notVisible } = await this.count(queue.dlqUrl);
    if (visible + notVisible === 0) return 0;
    const startedAt = Date.now();
    const { TaskHandle } = await this.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queue.dlqArn, DestinationArn: queue.arn }),
    );
    for (;;) {
      const { Results = [] } = await this.sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: queue.dlqArn, MaxResults: 10 }),
      );
      // A running task carries its handle; a finished one only its start time.
      const task =
        Results.find((result) => result.TaskHandle !== undefined && result.TaskHandle === TaskHandle) ??
        Results.find((result) => (result.StartedTimestamp ?? 0) >= startedAt - 1_000);
      if (task?.Status === "COMPLETED") return task.ApproximateNumberOfMessagesMoved ?? 0;
      if (task?.Status === "FAILED" || task?.Status === "CANCELLED") {
        throw new Error(
          `Redrive of queue "${queue.config.name}" ${task.Status.toLowerCase()}${task.FailureReason ? `: ${task.FailureReason}` : ""} after ${task.ApproximateNumberOfMessagesMoved ?? 0} messages`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, MOVE_TASK_POLL_MS));
    }
  }
}
