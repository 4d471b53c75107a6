import type { Logger } from "../../log.ts";
import { errorSummary } from "../../log-safe-error.ts";
import { retryDelayMs } from "../backoff.ts";
import type { Delivery, Handler } from "../transport.ts";
import type { BusStore, QueueKey, StoredDeadLetter, StoredMessage } from "./bus-store.ts";
import { DueTimer } from "./due-timer.ts";
import type { Consumer, QueueState } from "./queue-state.ts";
import type { QueuedMessage } from "./queued-message.ts";

/** The attempt recorded for a receive that never reported back. */
const noOutcomeError =
  "no result within the visibility timeout: the handler was still running, or its process stopped";

/**
 * Delivers messages to the consumers of this process: hands ready messages out round robin,
 * persists each receive before its handler runs, then records the outcome (acknowledge, retry
 * after a backoff, or dead-letter). One timer makes delayed and expired in-flight messages ready.
 */
export class DeliveryLoop {
  readonly timer = new DueTimer((message) => this.onDue(message));
  /** Every consumer's stop, so that close waits for handlers of consumers stopped before it too. */
  private readonly stoppingConsumers = new Set<Promise<void>>();

  constructor(
    private readonly store: BusStore,
    private readonly queues: Map<string, QueueState>,
    private readonly logger: Logger,
    private readonly isClosing: () => boolean,
  ) {}

  /** Adds a consumer to `queue` and returns its stop. */
  consume(queue: QueueState, handler: Handler, concurrency: number): () => Promise<void> {
    const consumer: Consumer = { handler, concurrency, running: 0, onIdle: undefined, stopped: undefined };
    queue.consumers.push(consumer);
    this.schedulePump(queue);
    return () => this.stopConsumer(queue, consumer);
  }

  /** Stops every consumer and resolves once all their handlers (and earlier stops') have finished. */
  async stop(): Promise<void> {
    for (const queue of this.queues.values()) {
      for (const consumer of [...queue.consumers]) this.stopConsumer(queue, consumer);
    }
    await Promise.all(this.stoppingConsumers);
  }

  /** Stops every consumer of `queue` and resolves once their handlers have finished. */
  async stopConsumersOf(queue: QueueState): Promise<void> {
    await Promise.all([...queue.consumers].map((consumer) => this.stopConsumer(queue, consumer)));
  }

  /** Takes the consumer off the queue and resolves once its running handlers have finished. */
  private stopConsumer(queue: QueueState, consumer: Consumer): Promise<void> {
    if (consumer.stopped) return consumer.stopped;
    const index = queue.consumers.indexOf(consumer);
    if (index >= 0) queue.consumers.splice(index, 1);
    consumer.stopped =
      consumer.running === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            consumer.onIdle = resolve;
          });
    this.stoppingConsumers.add(consumer.stopped);
    return consumer.stopped;
  }

  schedulePump(queue: QueueState): void {
    if (queue.pumpScheduled || queue.consumers.length === 0) return;
    queue.pumpScheduled = true;
    queueMicrotask(() => this.pump(queue));
  }

  /** Hands ready messages to consumers with spare capacity, round robin. */
  private pump(queue: QueueState): void {
    queue.pumpScheduled = false;
    if (this.isClosing()) return;
    const consumers = queue.consumers;
    for (;;) {
      let consumer: Consumer | undefined;
      for (let i = 0; i < consumers.length; i++) {
        const index = (queue.nextConsumer + i) % consumers.length;
        const candidate = consumers[index] as Consumer;
        if (candidate.running < candidate.concurrency) {
          consumer = candidate;
          queue.nextConsumer = index + 1;
          break;
        }
      }
      if (!consumer) return;
      const message = queue.take();
      if (!message) return;
      void this.receive(queue, consumer, message);
    }
  }
  /**
   * One delivery: persists the receive (so that a handler that kills the process still counts
   * against maxReceiveCount), runs the handler, then records its outcome.
   */
  private async receive(queue: QueueState, consumer: Consumer, message: QueuedMessage): Promise<void> {
    consumer.running++;
    queue.setState(message, "inFlight");
    const key: QueueKey = [message.queue, message.id];
    try {
      const stored = this.store.messages.get(key);
      if (!stored) {
        queue.remove(message);
        return;
      }
      if (stored.receivedAt !== undefined)
        stored.attempts.push({ at: stored.receivedAt, error: noOutcomeError });
      if (stored.receiveCount >= queue.config.maxReceiveCount) {
        await this.deadLetter(queue, message, stored);
        return;
      }
      stored.receiveCount++;
      stored.receivedAt = new Date().toISOString();
      delete stored.retryAt;
      message.receiveCount = stored.receiveCount;
      await this.store.messages.put(key, stored);
      if (message.removed) return;
      this.timer.schedule(message, Date.now() + queue.config.visibilityTimeoutMs);
      await this.runHandler(queue, consumer, message, stored);
    } catch (error) {
      this.logger.error(
        { queue: message.queue, messageId: message.id, err: error },
        "delivery failed in the bus",
      );
      if (!message.removed && message.state !== "ready") {
        this.timer.schedule(message, Date.now() + queue.config.visibilityTimeoutMs);
      }
    } finally {
      consumer.running--;
      if (consumer.running === 0) consumer.onIdle?.();
      this.schedulePump(queue);
    }
  }

  private async runHandler(
    queue: QueueState,
    consumer: Consumer,
    message: QueuedMessage,
    stored: StoredMessage,
  ): Promise<void> {
    const receiveCount = message.receiveCount;
    const delivery: Delivery = {
      messageId: message.id,
      queue: message.queue,
      event: stored.event,
      receiveCount,
      extendVisibility: async (ms: number) => {
        if (!(Number.isFinite(ms) && ms >= 0)) {
          throw new Error(`Invalid visibility extension ${ms}: use a number of milliseconds of at least 0`);
        }
        if (!message.removed && message.state === "inFlight" && message.receiveCount === receiveCount) {
          this.timer.schedule(message, Date.now() + ms);
        }
      },
    };
    if (message.groupId !== undefined) delivery.groupId = message.groupId;
    try {
      await consumer.handler(delivery);
    } catch (error) {
      await this.recordFailure(queue, message, receiveCount, stored, error);
      return;
    }
    this.acknowledge(queue, message);
  }

  /**
   * Deletes the message. An acknowledgement that arrives after the message was delivered again
   * deletes it too (the event was handled); the newer delivery's outcome is then ignored.
   */
  private acknowledge(queue: QueueState, message: QueuedMessage): void {
    if (message.removed) return;
    queue.remove(message);
    queue.processed++;
    this.store.messages.remove([message.queue, message.id]).catch((error: unknown) => {
      this.logger.error(
        { queue: message.queue, messageId: message.id, err: error },
        "could not delete a message",
      );
    });
  }

  private async recordFailure(
    queue: QueueState,
    message: QueuedMessage,
    receiveCount: number,
    stored: StoredMessage,
    error: unknown,
  ): Promise<void> {
    queue.failed++;
    const context = { queue: message.queue, messageId: message.id, receiveCount, err: error };
    if (message.removed || message.receiveCount !== receiveCount) {
      this.logger.debug(context, "handler failed after its message was delivered again or removed");
      return;
    }
    stored.attempts.push({ at: new Date().toISOString(), error: errorSummary(error) });
    delete stored.receivedAt;
    if (receiveCount >= queue.config.maxReceiveCount) {
      this.logger.warn(context, "message moved to the dead-letter queue");
      await this.deadLetter(queue, message, stored);
      return;
    }
    const retryAt = Date.now() + retryDelayMs(receiveCount, queue.config.backoff);
    stored.retryAt = retryAt;
    // Invisible until the failure is committed: the next receive must read this attempt.
    queue.setState(message, "delayed");
    message.dueVersion++;
    this.logger.debug(context, "handler failed; message will be retried");
    await this.store.messages.put([message.queue, message.id], stored);
    if (!message.removed) this.timer.schedule(message, retryAt);
  }

  private async deadLetter(queue: QueueState, message: QueuedMessage, stored: StoredMessage): Promise<void> {
    queue.remove(message);
    queue.dlqDepth++;
    const letter: StoredDeadLetter = {
      event: stored.event,
      order: stored.order,
      receiveCount: stored.receiveCount,
      attempts: stored.attempts,
      deadAt: new Date().toISOString(),
    };
    const key: QueueKey = [message.queue, message.id];
    await this.store.root.transaction(() => {
      this.store.messages.remove(key);
      this.store.deadLetters.put(key, letter);
    });
  }

  private onDue(message: QueuedMessage): void {
    if (message.state === "ready") return;
    const queue = this.queues.get(message.queue);
    if (!queue) return;
    queue.setState(message, "ready");
    this.schedulePump(queue);
  }
}
