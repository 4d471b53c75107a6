import type { EventEnvelope } from "@mercato/contracts";
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "../../log.ts";
import { errorSummary } from "../../log-safe-error.ts";
import { retryDelayMs } from "../backoff.ts";
import type { Handler, QueueConfig } from "../transport.ts";
import type { AckBatcher } from "./ack-batcher.ts";
import {
  type AttemptHistory,
  type AttemptStore,
  completeAttempts,
  noAttempts,
  type RecordedAttempt,
} from "./attempts.ts";
import type { ControlPlane } from "./control-plane.ts";
import type { DeadLetterOffice } from "./dead-letters.ts";
import { type NatsNames, partitionsOf } from "./names.ts";
import type { QueueCounters } from "./queue-counters.ts";
import { GROUP_HEADER } from "./queue-message.ts";
import { Slots } from "./slots.ts";
import { VisibilityKeeper } from "./visibility.ts";

/** How long one pull request waits for messages before it is renewed. */
const FETCH_EXPIRES_MS = 30_000;
/** A FIFO partition hands out one message at a time; one pull request serves many of them. */
const FIFO_FETCH_MESSAGES = 64;
const RETRY_FETCH_AFTER_MS = 1_000;
/** Attempt histories kept for retries this process scheduled (the oldest are dropped beyond it). */
const REMEMBERED_HISTORIES = 10_000;

export interface WorkerContext {
  js: JetStreamClient;
  acks: AckBatcher;
  names: NatsNames;
  control: ControlPlane;
  attempts: AttemptStore;
  deadLetters: DeadLetterOffice;
  counters: QueueCounters;
  logger: Logger;
}

/**
 * Runs a handler over one queue in this process. A standard queue pulls batches sized to the free
 * handler slots, so nothing waits in a local buffer while its visibility timeout runs; a FIFO queue
 * runs one loop per partition, each handling its messages one after another.
 */
export class QueueWorker {
  readonly #slots: Slots;
  readonly #fetches = new Set<ConsumerMessages>();
  readonly #running = new Set<Promise<void>>();
  /** Stream sequence -> attempts, for messages this process put back: their retry needs no read. */
  readonly #histories = new Map<number, AttemptHistory>();
  #loops: Promise<void>[] = [];
  #stopping = false;

  constructor(
    private readonly context: WorkerContext,
    private readonly config: QueueConfig,
    private readonly handler: Handler,
    concurrency: number,
  ) {
    this.#slots = new Slots(concurrency);
  }

  async start(): Promise<void> {
    const { js, names } = this.context;
    const stream = names.queueStream(this.config.name);
    const consumers = await Promise.all(
      partitionsOf(this.config.fifo !== undefined).map((partition) =>
        js.consumers.get(stream, names.consumerName(partition)),
      ),
    );
    this.#loops = this.config.fifo
      ? consumers.map((consumer) => this.#pullInOrder(consumer))
      : consumers.map((consumer) => this.#pullInBatches(consumer));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#slots.notify();
    await Promise.all([...this.#fetches].map((fetch) => fetch.close()));
    await Promise.all(this.#loops);
    await Promise.all(this.#running);
    this.context.acks.flush();
  }

  async #pullInBatches(consumer: Consumer): Promise<void> {
    const enough = Math.ceil(this.#slots.size / 2);
    while (!this.#stopping) {
      if (this.#slots.free < enough && !(this.#slots.free > 0 && this.#fetches.size === 0)) {
        await this.#slots.changed();
        continue;
      }
      const reserved = this.#slots.free;
      this.#slots.take(reserved);
      const batch = await this.#fetch(consumer, reserved);
      if (!batch) {
        this.#slots.release(reserved);
        continue;
      }
      void this.#runBatch(batch, reserved);
    }
  }

  async #runBatch(batch: ConsumerMessages, reserved: number): Promise<void> {
    let received = 0;
    try {
      for await (const message of batch) {
        received++;
        const receivedAt = Date.now();
        const run = this.#handle(message, receivedAt).finally(() => {
          this.#running.delete(run);
          this.#slots.release();
        });
        this.#running.add(run);
      }
    } catch (error) {
      if (!this.#stopping)
        this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull ended");
    } finally {
      this.#fetches.delete(batch);
      this.#slots.release(reserved - received);
    }
  }

  async #pullInOrder(consumer: Consumer): Promise<void> {
    while (!this.#stopping) {
      const batch = await this.#fetch(consumer, FIFO_FETCH_MESSAGES);
      if (!batch) continue;
      try {
        for await (const message of batch) {
          const receivedAt = Date.now();
          await this.#slots.acquire();
          const run = this.#handle(message, receivedAt);
          this.#running.add(run);
          await run;
          this.#running.delete(run);
          this.#slots.release();
        }
      } catch (error) {
        if (!this.#stopping)
          this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull ended");
      } finally {
        this.#fetches.delete(batch);
      }
    }
  }

  /** A pull request for up to `count` messages, or undefined when stopping or the server failed. */
  async #fetch(consumer: Consumer, count: number): Promise<ConsumerMessages | undefined> {
    try {
      const batch = await consumer.fetch({ max_messages: count, expires: FETCH_EXPIRES_MS });
      if (this.#stopping) {
        await batch.close();
        return undefined;
      }
      this.#fetches.add(batch);
      return batch;
    } catch (error) {
      if (this.#stopping) return undefined;
      this.context.logger.warn({ err: error, queue: this.config.name }, "bus pull failed; retrying");
      await new Promise((resolve) => setTimeout(resolve, RETRY_FETCH_AFTER_MS));
      return undefined;
    }
  }

  /** Never rejects: whatever goes wrong, the message stays in its queue for another delivery. */
  #handle(message: JsMsg, receivedAt: number): Promise<void> {
    return this.#process(message, receivedAt).catch((error: unknown) => {
      this.context.logger.error({ err: error, queue: this.config.name }, "bus delivery failed");
    });
  }

  async #process(message: JsMsg, receivedAt: number): Promise<void> {
    const { attempts, counters, logger } = this.context;
    const config = this.context.control.queues.get(this.config.name) ?? this.config;
    const sequence = message.seq;
    const receive = message.info.deliveryCount;
    counters.retryDueAt.delete(sequence);
    let event: EventEnvelope;
    try {
      event = message.json<EventEnvelope>();
    } catch (error) {
      logger.error({ err: error, queue: config.name, sequence }, "dropping a message that is not an event");
      message.term();
      return;
    }
    // It may have waited for a handler slot; give the handler its whole visibility timeout.
    if (Date.now() - receivedAt > config.visibilityTimeoutMs / 2) message.working();
    let history = this.#historyOf(sequence, receive);
    if (!history) {
      history = await attempts
        .noteTimeouts(config.name, sequence, receive, config.visibilityTimeoutMs)
        .catch((error: unknown): AttemptHistory => {
          logger.warn({ err: error, queue: config.name, sequence }, "could not read a message's attempts");
          return { attempts: completeAttempts([], receive - 1, config.visibilityTimeoutMs), revision: 0 };
        });
    }
    if (receive > config.maxReceiveCount) {
      await this.#deadLetter(message, event, history.attempts, config);
      return;
    }
    const visibility = new VisibilityKeeper(message, config.visibilityTimeoutMs);
    try {
      await this.handler({
        messageId: event.id,
        queue: config.name,
        event,
        receiveCount: receive,
        groupId: config.fifo ? this.#groupOf(message) : undefined,
        extendVisibility: async (ms) => visibility.extend(ms),
      });
    } catch (error) {
      visibility.end();
      counters.failed++;
      await this.#fail(message, event, history, config, error);
      return;
    }
    visibility.end();
    this.context.acks.ack(message);
    counters.processed++;
    if (receive > 1) this.context.deadLetters.forget(config.name, sequence);
  }

  #groupOf(message: JsMsg): string | undefined {
    return message.headers?.has(GROUP_HEADER) ? message.headers.get(GROUP_HEADER) : undefined;
  }

  /** What is known of the attempts before this receive without reading the store, if anything. */
  #historyOf(sequence: number, receive: number): AttemptHistory | undefined {
    if (receive === 1) return noAttempts;
    const remembered = this.#histories.get(sequence);
    this.#histories.delete(sequence);
    // Complete only if the previous receive was this process's own failure.
    return remembered?.attempts.some((attempt) => attempt.receive === receive - 1) ? remembered : undefined;
  }

  #remember(sequence: number, history: AttemptHistory): void {
    this.#histories.set(sequence, history);
    if (this.#histories.size <= REMEMBERED_HISTORIES) return;
    const oldest = this.#histories.keys().next();
    if (!oldest.done) this.#histories.delete(oldest.value);
  }

  async #fail(
    message: JsMsg,
    event: EventEnvelope,
    history: AttemptHistory,
    config: QueueConfig,
    error: unknown,
  ): Promise<void> {
    const receive = message.info.deliveryCount;
    const attempt: RecordedAttempt = {
      receive,
      at: new Date().toISOString(),
      error: errorSummary(error),
    };
    if (receive >= config.maxReceiveCount) {
      await this.#deadLetter(message, event, await this.#record(message.seq, history, attempt), config);
      return;
    }
    // The retry is scheduled before the attempt is stored, so the store's latency never lengthens
    // the backoff; if the retry reads the attempts before this write lands, the conditional
    // writes merge both.
    const delay = retryDelayMs(receive, config.backoff);
    this.context.counters.retryDueAt.set(message.seq, Date.now() + delay);
    message.nak(delay);
    // Off the handler slot too: the slot frees at once, and with it the pull for the retry.
    this.#inBackground(this.#record(message.seq, history, attempt));
  }

  /** Work that `stop()` waits for but that holds no handler slot. */
  #inBackground(work: Promise<unknown>): void {
    const tracked = work.then(
      () => {},
      () => {},
    );
    this.#running.add(tracked);
    void tracked.finally(() => this.#running.delete(tracked));
  }

  /** Stores a failure; if the store is unavailable the attempt still reaches a dead letter from here. */
  async #record(
    sequence: number,
    history: AttemptHistory,
    attempt: RecordedAttempt,
  ): Promise<RecordedAttempt[]> {
    try {
      const recorded = await this.context.attempts.record(this.config.name, sequence, history, attempt);
      this.#remember(sequence, recorded);
      return recorded.attempts;
    } catch (error) {
      this.context.logger.warn(
        { err: error, queue: this.config.name, sequence },
        "could not record a failed attempt",
      );
      return [...history.attempts, attempt];
    }
  }

  #deadLetter(
    message: JsMsg,
    event: EventEnvelope,
    recorded: RecordedAttempt[],
    config: QueueConfig,
  ): Promise<void> {
    return this.context.counters.trackMove(this.#moveToDeadLetters(message, event, recorded, config));
  }

  async #moveToDeadLetters(
    message: JsMsg,
    event: EventEnvelope,
    recorded: RecordedAttempt[],
    config: QueueConfig,
  ): Promise<void> {
    const receives = Math.min(message.info.deliveryCount, config.maxReceiveCount);
    try {
      await this.context.deadLetters.store({
        queue: config.name,
        streamSequence: message.seq,
        event,
        attempts: completeAttempts(recorded, receives, config.visibilityTimeoutMs),
      });
    } catch (error) {
      // Left in the queue: its next delivery (or the max-deliveries advisory) tries again.
      this.context.logger.error({ err: error, queue: config.name }, "could not dead-letter a message");
      message.nak(retryDelayMs(message.info.deliveryCount, config.backoff));
      return;
    }
    // Confirmed, so that once a dead letter is counted its original is no longer in the queue.
    await message.ackAck();
    this.context.deadLetters.forget(config.name, message.seq);
  }
}
