import type { EventEnvelope } from "@mercato/contracts";
import { createLogger, type Logger } from "../../log.ts";
import { errorSummary } from "../../log-safe-error.ts";
import { retryDelayMs } from "../backoff.ts";
import { groupIdOf } from "../group-id.ts";
import { compilePattern, RuleSet } from "../patterns/index.ts";
import { validateQueueConfig } from "../queue-config.ts";
import type {
  ConsumeOptions,
  DeadLetter,
  Delivery,
  Handler,
  QueueConfig,
  QueueStats,
  Rule,
  Subscription,
  Transport,
} from "../transport.ts";
import {
  type BusStore,
  openBusStore,
  type QueueKey,
  queueRange,
  type StoredDeadLetter,
  type StoredMessage,
} from "./bus-store.ts";
import { DueTimer } from "./due-timer.ts";
import { newMessageId } from "./message-id.ts";
import { type Consumer, QueueState } from "./queue-state.ts";
import type { QueuedMessage } from "./queued-message.ts";

export interface EmbeddedTransportOptions {
  /** The bus lives in `<dataDir>/bus/`. One process at a time may open a data directory. */
  dataDir: string;
  logger?: Logger;
  /**
   * fsync every commit. Off by default: an acknowledged publish then survives a crash or kill of
   * the process, but not a power loss or a kernel crash. On, it survives those too, at a cost in
   * throughput that depends on the disk.
   */
  sync?: boolean;
}

const defaultConcurrency = 10;

/** The attempt recorded for a receive that never reported back. */
const noOutcomeError =
  "no result within the visibility timeout: the handler was still running, or its process stopped";

/**
 * Opens the durable in-process transport. Routing, retries, DLQ and FIFO follow SQS semantics; see
 * `Transport`. Messages in flight when a previous process died are delivered again at once.
 */
export async function createEmbeddedTransport(options: EmbeddedTransportOptions): Promise<Transport> {
  const store = openBusStore(options.dataDir, options.sync ?? false);
  const transport = new EmbeddedTransport(store, options.logger ?? createLogger({ name: "bus" }));
  try {
    transport.load();
  } catch (error) {
    await store.root.close();
    throw error;
  }
  return transport;
}

class EmbeddedTransport implements Transport {
  readonly kind = "embedded" as const;
  private readonly queues = new Map<string, QueueState>();
  private readonly rules = new Map<string, Rule>();
  private readonly ruleSet = new RuleSet<string>();
  private readonly timer = new DueTimer((message) => this.onDue(message));
  /** Gives each message enqueued from now on a position after every message already stored. */
  private nextOrder = 0;
  /** Redrive and purge run one at a time, so that two of them never move the same message. */
  private adminTail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** Every consumer's stop, so that close waits for handlers of consumers stopped before it too. */
  private readonly stoppingConsumers = new Set<Promise<void>>();

  constructor(
    private readonly store: BusStore,
    private readonly logger: Logger,
  ) {}

  /** Rebuilds the in-memory state from LMDB. */
  load(): void {
    for (const { value: config } of this.store.queues.getRange()) {
      this.queues.set(config.name, new QueueState(config));
    }
    for (const { value: rule } of this.store.rules.getRange()) {
      try {
        this.ruleSet.add(rule.name, rule.eventPattern, rule.queue);
      } catch (error) {
        throw new Error(`Stored rule "${rule.name}" no longer compiles: ${errorSummary(error)}`);
      }
      this.rules.set(rule.name, rule);
    }
    const now = Date.now();
    const loaded = new Map<string, LoadedMessage[]>();
    for (const { key, value } of this.store.messages.getRange()) {
      const [queueName, id] = key;
      let list = loaded.get(queueName);
      if (!list) {
        list = [];
        loaded.set(queueName, list);
      }
      // Only what the index needs: the event is read again at delivery.
      const { order, enqueuedAt, groupId, receiveCount, receivedAt, retryAt } = value;
      list.push({ id, order, enqueuedAt, groupId, receiveCount, receivedAt, retryAt });
    }
    for (const [queueName, list] of loaded) {
      const queue = this.queues.get(queueName);
      if (!queue) {
        this.logger.error(
          { queue: queueName, messages: list.length },
          "messages stored for an undeclared queue",
        );
        continue;
      }
      list.sort((a, b) => a.order - b.order);
      for (const loadedMessage of list) {
        const { receivedAt, retryAt } = loadedMessage;
        // A message received by a process that is gone is delivered again at once.
        const delayed = receivedAt === undefined && retryAt !== undefined && retryAt > now;
        const message = newMessage(loadedMessage.id, queueName, loadedMessage, delayed ? "delayed" : "ready");
        queue.add(message);
        if (delayed) this.timer.schedule(message, retryAt);
        this.nextOrder = Math.max(this.nextOrder, loadedMessage.order + 1);
      }
    }
    for (const queue of this.queues.values()) {
      queue.dlqDepth = this.store.deadLetters.getKeysCount(queueRange(queue.config.name));
    }
  }

  async declareQueue(config: QueueConfig): Promise<void> {
    this.assertOpen();
    const valid = validateQueueConfig(config);
    const existing = this.queues.get(valid.name);
    if (existing) existing.reconfigure(valid);
    else this.queues.set(valid.name, new QueueState(valid));
    await this.store.queues.put(valid.name, valid);
  }

  async putRule(rule: Rule): Promise<void> {
    this.assertOpen();
    if (typeof rule.name !== "string" || rule.name.length === 0) {
      throw new Error("Invalid rule: name must be a non-empty string");
    }
    compilePattern(rule.eventPattern);
    if (!this.queues.has(rule.queue)) {
      throw new Error(`Rule "${rule.name}" targets queue "${rule.queue}", which is not declared`);
    }
    const copy: Rule = { name: rule.name, eventPattern: rule.eventPattern, queue: rule.queue };
    await this.store.rules.put(copy.name, copy);
    if (this.rules.has(copy.name)) this.ruleSet.remove(copy.name);
    this.ruleSet.add(copy.name, copy.eventPattern, copy.queue);
    this.rules.set(copy.name, copy);
  }

  async deleteRule(name: string): Promise<void> {
    this.assertOpen();
    if (!this.rules.has(name)) return;
    await this.store.rules.remove(name);
    this.ruleSet.remove(name);
    this.rules.delete(name);
  }

  async listRules(): Promise<Rule[]> {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    this.assertOpen();
    const now = Date.now();
    const keys: QueueKey[] = [];
    const records: StoredMessage[] = [];
    const targets: QueueState[] = [];
    for (const event of events) {
      const matched = this.ruleSet.match(event);
      if (matched.length === 0) continue;
      for (const queueName of matched.length === 1 ? matched : new Set(matched)) {
        const queue = this.requireQueue(queueName);
        const record: StoredMessage = {
          event,
          order: this.nextOrder++,
          enqueuedAt: now,
          receiveCount: 0,
          attempts: [],
        };
        const fifo = queue.config.fifo;
        const groupId = fifo ? groupIdOf(event, fifo.groupBy) : undefined;
        if (groupId !== undefined) record.groupId = groupId;
        keys.push([queueName, newMessageId()]);
        records.push(record);
        targets.push(queue);
      }
    }
    if (records.length === 0) return;
    const messages = this.store.messages;
    await messages.batch(() => {
      for (let i = 0; i < records.length; i++) messages.put(keys[i] as QueueKey, records[i] as StoredMessage);
    });
    for (let i = 0; i < records.length; i++) {
      const queue = targets[i] as QueueState;
      const [queueName, id] = keys[i] as QueueKey;
      queue.add(newMessage(id, queueName, records[i] as StoredMessage, "ready"));
      this.schedulePump(queue);
    }
  }

  async consume(queueName: string, handler: Handler, options: ConsumeOptions = {}): Promise<Subscription> {
    this.assertOpen();
    const queue = this.requireQueue(queueName);
    const concurrency = options.concurrency ?? defaultConcurrency;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(
        `Invalid concurrency ${concurrency} for queue "${queueName}": use an integer of at least 1`,
      );
    }
    const consumer: Consumer = { handler, concurrency, running: 0, onIdle: undefined, stopped: undefined };
    queue.consumers.push(consumer);
    this.schedulePump(queue);
    return { stop: () => this.stopConsumer(queue, consumer) };
  }

  async stats(): Promise<QueueStats[]> {
    const now = Date.now();
    return [...this.queues.values()].map((queue) => queue.stats(now));
  }

  async deadLetters(queueName: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    this.assertOpen();
    this.requireQueue(queueName);
    // Dead-lettering is written asynchronously; wait so that the list includes every one so far.
    await this.store.root.committed;
    const range = {
      ...queueRange(queueName),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    };
    const letters: DeadLetter[] = [];
    for (const { key, value } of this.store.deadLetters.getRange(range)) {
      letters.push({
        id: key[1],
        event: value.event,
        receiveCount: value.receiveCount,
        attempts: value.attempts,
        lastError: value.attempts.at(-1)?.error ?? "",
        firstFailedAt: value.attempts[0]?.at ?? value.deadAt,
      });
    }
    return letters;
  }

  /**
   * Puts dead letters back at the end of their queue with a receive count of 0. Their attempts
   * history is kept, so a message that dead-letters again shows every attempt since its first.
   */
  redrive(queueName: string, ids?: string[]): Promise<number> {
    this.assertOpen();
    const queue = this.requireQueue(queueName);
    return this.exclusively(async () => {
      await this.store.root.committed;
      const letters: Array<[QueueKey, StoredDeadLetter]> = [];
      if (ids) {
        for (const id of new Set(ids)) {
          const key: QueueKey = [queueName, id];
          const letter = this.store.deadLetters.get(key);
          if (letter) letters.push([key, letter]);
        }
      } else {
        for (const { key, value } of this.store.deadLetters.getRange(queueRange(queueName)))
          letters.push([key, value]);
      }
      if (letters.length === 0) return 0;
      const now = Date.now();
      const fifo = queue.config.fifo;
      const records = letters.map(([, letter]) => {
        const record: StoredMessage = {
          event: letter.event,
          order: this.nextOrder++,
          enqueuedAt: now,
          receiveCount: 0,
          attempts: letter.attempts,
        };
        const groupId = fifo ? groupIdOf(letter.event, fifo.groupBy) : undefined;
        if (groupId !== undefined) record.groupId = groupId;
        return record;
      });
      await this.store.root.transaction(() => {
        letters.forEach(([key], i) => {
          this.store.deadLetters.remove(key);
          this.store.messages.put(key, records[i] as StoredMessage);
        });
      });
      letters.forEach(([[, id]], i) => {
        queue.add(newMessage(id, queueName, records[i] as StoredMessage, "ready"));
      });
      queue.dlqDepth -= letters.length;
      this.schedulePump(queue);
      return letters.length;
    });
  }

  purge(queueName: string): Promise<number> {
    this.assertOpen();
    const queue = this.requireQueue(queueName);
    return this.exclusively(async () => {
      const ids = [...queue.messages.keys()];
      queue.clear();
      const messages = this.store.messages;
      await messages.batch(() => {
        for (const id of ids) messages.remove([queueName, id]);
      });
      return ids.length;
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const queue of this.queues.values()) {
      for (const consumer of [...queue.consumers]) this.stopConsumer(queue, consumer);
    }
    await Promise.all(this.stoppingConsumers);
    await this.adminTail;
    this.timer.stop();
    await this.store.root.committed;
    await this.store.root.close();
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

  private schedulePump(queue: QueueState): void {
    if (queue.pumpScheduled || queue.consumers.length === 0) return;
    queue.pumpScheduled = true;
    queueMicrotask(() => this.pump(queue));
  }

  /** Hands ready messages to consumers with spare capacity, round robin. */
  private pump(queue: QueueState): void {
    queue.pumpScheduled = false;
    if (this.closing) return;
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

  private exclusively<T>(task: () => Promise<T>): Promise<T> {
    const result = this.adminTail.then(task);
    this.adminTail = result.catch(() => undefined);
    return result;
  }

  private requireQueue(name: string): QueueState {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Queue "${name}" is not declared`);
    return queue;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error("The embedded transport is closed");
  }
}

type IndexedFields = Pick<StoredMessage, "order" | "groupId" | "enqueuedAt" | "receiveCount">;

type LoadedMessage = IndexedFields & Pick<StoredMessage, "receivedAt" | "retryAt"> & { id: string };

function newMessage(
  id: string,
  queue: string,
  fields: IndexedFields,
  state: "ready" | "delayed",
): QueuedMessage {
  return {
    id,
    queue,
    order: fields.order,
    groupId: fields.groupId,
    enqueuedAt: fields.enqueuedAt,
    state,
    receiveCount: fields.receiveCount,
    dueAt: 0,
    dueVersion: 0,
    removed: false,
  };
}
