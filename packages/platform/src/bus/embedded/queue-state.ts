import type { Handler, QueueConfig, QueueStats } from "../transport.ts";
import type { MessageState, QueuedMessage } from "./queued-message.ts";
import { FifoReadyOrder, type ReadyOrder, StandardReadyOrder } from "./ready-order.ts";

/** A consumer of one queue in this process. */
export interface Consumer {
  readonly handler: Handler;
  readonly concurrency: number;
  running: number;
  /** Set by `stop()`: called when the last running handler has finished. */
  onIdle: (() => void) | undefined;
  /** Set by `stop()`: resolves once the consumer's handlers have finished. */
  stopped: Promise<void> | undefined;
}

/** The in-memory index of one queue: its messages by id, what to deliver next, and counters. */
export class QueueState {
  readonly messages = new Map<string, QueuedMessage>();
  readonly consumers: Consumer[] = [];
  private order: ReadyOrder;
  private readonly counts: Record<MessageState, number> = { ready: 0, delayed: 0, inFlight: 0 };
  dlqDepth = 0;
  processed = 0;
  failed = 0;
  pumpScheduled = false;
  /** Where the next pump starts looking for a consumer with spare capacity (round robin). */
  nextConsumer = 0;

  constructor(public config: QueueConfig) {
    this.order = readyOrderFor(config);
  }

  /** Applies new settings; the FIFO setting can change only while the queue holds no message. */
  reconfigure(config: QueueConfig): void {
    if (config.fifo?.groupBy !== this.config.fifo?.groupBy) {
      if (this.messages.size > 0) {
        throw new Error(
          `Queue "${config.name}" holds ${this.messages.size} messages: its FIFO setting can change only while it is empty`,
        );
      }
      this.order = readyOrderFor(config);
    }
    this.config = config;
  }

  add(message: QueuedMessage): void {
    this.messages.set(message.id, message);
    this.counts[message.state]++;
    this.order.add(message);
  }

  setState(message: QueuedMessage, state: MessageState): void {
    this.counts[message.state]--;
    this.counts[state]++;
    message.state = state;
    if (state === "ready") this.order.becameReady(message);
  }

  remove(message: QueuedMessage): void {
    if (message.removed) return;
    message.removed = true;
    this.messages.delete(message.id);
    this.counts[message.state]--;
    this.order.remove(message);
  }

  /** Removes every message and returns how many there were. */
  clear(): number {
    const count = this.messages.size;
    for (const message of this.messages.values()) message.removed = true;
    this.messages.clear();
    this.counts.ready = 0;
    this.counts.delayed = 0;
    this.counts.inFlight = 0;
    this.order = readyOrderFor(this.config);
    return count;
  }

  take(): QueuedMessage | undefined {
    return this.order.take();
  }

  stats(now: number): QueueStats {
    const oldest = this.messages.values().next().value;
    return {
      name: this.config.name,
      depth: this.counts.ready,
      inFlight: this.counts.inFlight,
      delayed: this.counts.delayed,
      dlqDepth: this.dlqDepth,
      oldestAgeMs: oldest ? Math.max(0, now - oldest.enqueuedAt) : 0,
      processed: this.processed,
      failed: this.failed,
    };
  }
}

function readyOrderFor(config: QueueConfig): ReadyOrder {
  return config.fifo ? new FifoReadyOrder() : new StandardReadyOrder();
}
