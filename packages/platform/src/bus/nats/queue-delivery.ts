import type { EventEnvelope } from "@mercato/contracts";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
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
import type { NatsNames } from "./names.ts";
import type { QueueCounters } from "./queue-counters.ts";
import { GROUP_HEADER } from "./queue-message.ts";
import { VisibilityKeeper } from "./visibility.ts";

/** Attempt histories kept for retries this process scheduled (the oldest are dropped beyond it). */
const REMEMBERED_HISTORIES = 10_000;

/** What a queue worker and its deliveries use of the transport. */
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
 * One received message through its handler: the attempts before it, the handler run under its
 * visibility timeout, then the acknowledgement, a retry with backoff, or the move to dead letters.
 */
export class QueueDelivery {
  /** Stream sequence -> attempts, for messages this process put back: their retry needs no read. */
  readonly #histories = new Map<number, AttemptHistory>();

  constructor(
    private readonly context: WorkerContext,
    private readonly config: QueueConfig,
    private readonly handler: Handler,
    /** Work that the worker's `stop()` waits for but that holds no handler slot. */
    private readonly inBackground: (work: Promise<unknown>) => void,
  ) {}

  async deliver(message: JsMsg, receivedAt: number): Promise<void> {
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
    this.inBackground(this.#record(message.seq, history, attempt));
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
