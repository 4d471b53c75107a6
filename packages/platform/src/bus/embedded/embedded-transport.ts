import type { EventEnvelope } from "@mercato/contracts";
import { createLogger, type Logger } from "../../log.ts";
import { validateQueueConfig } from "../queue-config.ts";
import type {
  ConsumeOptions,
  DeadLetter,
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
  removeStoredQueue,
  type StoredMessage,
} from "./bus-store.ts";
import { listDeadLetters, redriveDeadLetters } from "./dead-letters.ts";
import { DeliveryLoop } from "./delivery-loop.ts";
import { newMessageId } from "./message-id.ts";
import { QueueState } from "./queue-state.ts";
import { newMessage, newRecord } from "./queued-message.ts";
import { restoreQueues } from "./restore.ts";
import { RoutingRules } from "./routing-rules.ts";

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

/**
 * Opens the durable in-process transport. Routing, retries, DLQ and FIFO follow SQS semantics; see
 * `Transport`. Messages in flight when a previous process died are delivered again at once.
 * This file holds the `Transport` facade: queue declaration, publish, and the admin operations;
 * `routing-rules.ts` routes, `delivery-loop.ts` delivers, `dead-letters.ts` lists and redrives,
 * `restore.ts` rebuilds the in-memory index at open (README.md).
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
  private readonly rules: RoutingRules;
  private readonly delivery: DeliveryLoop;
  /** Gives each message enqueued from now on a position after every message already stored. */
  private nextOrder = 0;
  /** Redrive and purge run one at a time, so that two of them never move the same message. */
  private adminTail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly store: BusStore,
    private readonly logger: Logger,
  ) {
    this.rules = new RoutingRules(store);
    this.delivery = new DeliveryLoop(store, this.queues, logger, () => this.closing !== undefined);
  }

  /** Rebuilds the in-memory state from LMDB. */
  load(): void {
    this.nextOrder = restoreQueues(this.store, this.queues, this.delivery.timer, this.logger);
    this.rules.load();
  }

  async declareQueue(config: QueueConfig): Promise<void> {
    this.assertOpen();
    const valid = validateQueueConfig(config);
    const existing = this.queues.get(valid.name);
    if (existing) existing.reconfigure(valid);
    else this.queues.set(valid.name, new QueueState(valid));
    await this.store.queues.put(valid.name, valid);
  }

  deleteQueue(queueName: string): Promise<void> {
    this.assertOpen();
    const target = this.rules.list().find((rule) => rule.queue === queueName);
    if (target) {
      return Promise.reject(
        new Error(`Queue "${queueName}" is the target of rule "${target.name}": delete the rule first`),
      );
    }
    const queue = this.queues.get(queueName);
    if (!queue) return Promise.resolve();
    return this.exclusively(async () => {
      await this.delivery.stopConsumersOf(queue);
      queue.clear();
      this.queues.delete(queueName);
      await removeStoredQueue(this.store, queueName);
    });
  }

  async putRule(rule: Rule): Promise<void> {
    this.assertOpen();
    await this.rules.put(rule, (queue) => this.queues.has(queue));
  }

  async deleteRule(name: string): Promise<void> {
    this.assertOpen();
    await this.rules.delete(name);
  }

  async listRules(): Promise<Rule[]> {
    return this.rules.list();
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    this.assertOpen();
    const now = Date.now();
    const keys: QueueKey[] = [];
    const records: StoredMessage[] = [];
    const targets: QueueState[] = [];
    for (const event of events) {
      const matched = this.rules.match(event);
      if (matched.length === 0) continue;
      for (const queueName of matched.length === 1 ? matched : new Set(matched)) {
        const queue = this.requireQueue(queueName);
        keys.push([queueName, newMessageId()]);
        records.push(newRecord(event, queue.config, this.nextOrder++, now));
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
      this.delivery.schedulePump(queue);
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
    return { stop: this.delivery.consume(queue, handler, concurrency) };
  }

  async stats(): Promise<QueueStats[]> {
    const now = Date.now();
    return [...this.queues.values()].map((queue) => queue.stats(now));
  }

  async deadLetters(queueName: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    this.assertOpen();
    this.requireQueue(queueName);
    return listDeadLetters(this.store, queueName, options.limit);
  }

  /**
   * Puts dead letters back at the end of their queue with a receive count of 0. Their attempts
   * history is kept, so a message that dead-letters again shows every attempt since its first.
   */
  redrive(queueName: string, ids?: string[]): Promise<number> {
    this.assertOpen();
    const queue = this.requireQueue(queueName);
    return this.exclusively(async () => {
      const moved = await redriveDeadLetters(this.store, queue, ids, () => this.nextOrder++);
      if (moved > 0) this.delivery.schedulePump(queue);
      return moved;
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
    await this.delivery.stop();
    await this.adminTail;
    this.delivery.timer.stop();
    await this.store.root.committed;
    await this.store.root.close();
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
