import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { EventEnvelope } from "@mercato/contracts";
import type { Logger } from "../../log.ts";
import { errorSummary } from "../../log-safe-error.ts";
import { retryDelayMs } from "../backoff.ts";
import { groupIdOf } from "../group-id.ts";
import type { Delivery, Handler } from "../transport.ts";
import { type DeadLetterOffice, messageIdOf, RECEIVE_ATTRIBUTES } from "./dead-letters.ts";
import type { DeleteBatcher } from "./delete-batcher.ts";
import { envelopeOfSqsBody } from "./message-body.ts";
import type { QueueCounters } from "./queue-counters.ts";
import type { AwsQueue } from "./queue-directory.ts";
import { BATCH_SIZE, isMissingQueue, sqsSeconds } from "./sqs-limits.ts";
import { VisibilityKeeper } from "./visibility.ts";

export interface ConsumerDeps {
  sqs: SQSClient;
  deletes: DeleteBatcher;
  deadLetters: DeadLetterOffice;
  counters: QueueCounters;
  logger: Logger;
  /** ReceiveMessage's long poll, in seconds (SQS allows up to 20). */
  waitSeconds: number;
  heartbeat: boolean;
}

const RECEIVE_ERROR_PAUSE_MS = 1_000;

/**
 * One `consume` of a queue: long-polling receive loops that take only as many messages as there
 * are free handler slots, so nothing waits locally while its visibility timeout runs. A standard
 * queue runs one loop per 10 slots, each receiving up to 10; a FIFO queue runs one loop per slot,
 * each receiving 1, because SQS may hand out several messages of one group in one receive and a
 * group's messages must run one at a time (while one is in flight SQS holds back the rest of its
 * group, which keeps the order across loops and processes).
 */
export class QueueConsumer {
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #loops: Promise<void>[] = [];
  #free: number;
  /** Loops waiting for a free slot. */
  #waiting: Array<() => void> = [];

  constructor(
    private readonly deps: ConsumerDeps,
    private readonly queue: AwsQueue,
    private readonly handler: Handler,
    concurrency: number,
  ) {
    this.#free = concurrency;
    const fifo = queue.config.fifo !== undefined;
    const loops = fifo ? concurrency : Math.ceil(concurrency / BATCH_SIZE);
    for (let i = 0; i < loops; i++) this.#loops.push(this.#loop(fifo ? 1 : BATCH_SIZE));
  }

  get queueName(): string {
    return this.queue.config.name;
  }

  /**
   * Stops receiving and waits for the running handlers (and their acknowledgements). A long poll
   * under way is not cut short (see `#receive`): stopping takes up to the poll's wait.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wakeAll();
    await Promise.allSettled(this.#loops);
    await Promise.allSettled([...this.#running]);
  }

  async #loop(batch: number): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      while (this.#free === 0 && !signal.aborted) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
      if (signal.aborted) return;
      const reserved = Math.min(batch, this.#free);
      this.#free -= reserved;
      let messages: Message[] = [];
      const askedAt = Date.now();
      try {
        messages = await this.#receive(reserved);
      } catch (error) {
        this.#release(reserved);
        if (signal.aborted) return;
        if (isMissingQueue(error)) {
          this.deps.logger.warn({ queue: this.queueName }, "the queue was deleted; its consumer stops");
          return;
        }
        this.deps.logger.warn({ err: error, queue: this.queueName }, "could not receive messages; retrying");
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_ERROR_PAUSE_MS));
        continue;
      }
      if (signal.aborted) {
        this.#release(reserved);
        await this.#giveBack(messages);
        return;
      }
      this.#release(reserved - messages.length);
      for (const message of messages) {
        const running = this.#deliver(message, askedAt).finally(() => {
          this.#running.delete(running);
          this.#release(1);
        });
        this.#running.add(running);
      }
    }
  }

  #release(slots: number): void {
    if (slots <= 0) return;
    this.#free += slots;
    this.#wakeAll();
  }

  #wakeAll(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  /**
   * Not aborted on stop: SQS may hand the messages of an abandoned long poll to nobody, and they
   * would come back only after their visibility timeout, one receive closer to the DLQ.
   */
  async #receive(count: number): Promise<Message[]> {
    const { Messages = [] } = await this.deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queue.url,
        MaxNumberOfMessages: count,
        WaitTimeSeconds: this.deps.waitSeconds,
        ...RECEIVE_ATTRIBUTES,
      }),
    );
    return Messages;
  }

  /** Makes messages received while stopping visible again at once, for another consumer. */
  async #giveBack(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queue.url,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: error, queue: this.queueName },
        "could not give back messages received while stopping",
      );
    }
  }

  async #deliver(message: Message, receivedAt: number): Promise<void> {
    const { counters, logger } = this.deps;
    const { config } = this.queue;
    const messageId = messageIdOf(message);
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    counters.retryDueAt.delete(messageId);
    counters.heldSince.set(messageId, Number(message.Attributes?.SentTimestamp ?? receivedAt));
    let event: EventEnvelope | undefined;
    let failure: unknown;
    try {
      event = envelopeOfSqsBody(message.Body ?? "");
    } catch (error) {
      failure = error;
    }
    const claim = event ? counters.claim(event.id, messageId) : "run";
    if (claim === "copy") {
      counters.settled(messageId);
      await this.deps.deletes.delete(this.queue.url, message.ReceiptHandle ?? "");
      return;
    }
    if (claim === "running") return;
    if (event) {
      const keeper = new VisibilityKeeper(
        (seconds) => this.#changeVisibility(message, seconds),
        config.visibilityTimeoutMs,
        this.deps.heartbeat,
        logger,
        receivedAt,
      );
      const delivery: Delivery = {
        messageId,
        queue: config.name,
        event,
        receiveCount,
        extendVisibility: (ms) => keeper.extend(ms),
      };
      if (config.fifo) {
        const groupId = groupIdOf(event, config.fifo.groupBy);
        if (groupId !== undefined) delivery.groupId = groupId;
      }
      try {
        await this.handler(delivery);
        counters.handled(event.id, "done");
        counters.processed++;
        counters.settled(messageId);
        // The heartbeat goes on until SQS has the delete: the message must not reappear meanwhile.
        await this.deps.deletes.delete(this.queue.url, message.ReceiptHandle ?? "");
        await keeper.stop();
        return;
      } catch (error) {
        counters.handled(event.id, "retrying");
        await this.#failed(message, messageId, receiveCount, error, keeper);
        return;
      }
    }
    await this.#failed(message, messageId, receiveCount, failure);
  }

  /** The heartbeat, when the handler ran, goes on while the message moves to the DLQ. */
  async #failed(
    message: Message,
    messageId: string,
    receiveCount: number,
    error: unknown,
    keeper?: VisibilityKeeper,
  ): Promise<void> {
    const { counters, logger } = this.deps;
    const { config } = this.queue;
    counters.failed++;
    const attempts = counters.attempts.get(messageId) ?? [];
    attempts.push({ at: new Date().toISOString(), error: errorSummary(error) });
    counters.attempts.set(messageId, attempts);
    try {
      if (receiveCount >= config.maxReceiveCount) {
        await counters.trackMove(this.deps.deadLetters.move(this.queue, message, receiveCount, attempts));
        counters.settled(messageId);
        return;
      }
      // Stopped first: a beat after this change would undo the retry delay.
      await keeper?.stop();
      const seconds = sqsSeconds(retryDelayMs(receiveCount, config.backoff));
      counters.retryDueAt.set(messageId, Date.now() + seconds * 1000);
      await this.#changeVisibility(message, seconds);
    } catch (moveError) {
      // The message comes back after its visibility timeout, and SQS's redrive policy catches it.
      logger.warn(
        { err: moveError, queue: config.name, messageId },
        "could not schedule the retry of a failed message",
      );
    } finally {
      await keeper?.stop();
    }
  }

  async #changeVisibility(message: Message, seconds: number): Promise<void> {
    await this.deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queue.url,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
