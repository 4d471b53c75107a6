import type { EventEnvelope } from "@mercato/contracts";

/** An EventBridge event pattern, as JSON. Compiled and validated by `bus/patterns`. */
export type EventPattern = Record<string, unknown>;

/** A rule routes every published event that matches its pattern to one queue. */
export interface Rule {
  name: string;
  eventPattern: EventPattern;
  /** The target queue's name. */
  queue: string;
}

export interface QueueConfig {
  name: string;
  /** How long a received message stays invisible before it is delivered again. */
  visibilityTimeoutMs: number;
  /** Receives allowed before a failing message moves to the queue's DLQ. */
  maxReceiveCount: number;
  /** Retry delay after a failure: min(maxMs, baseMs * 2^(receiveCount-1)) with full jitter. */
  backoff: { baseMs: number; maxMs: number };
  /**
   * FIFO per message group: messages of one group are delivered one at a time, in publish order.
   * `groupBy` is a dot path into the event (for example `detail.orderId`); events without it share
   * one group.
   */
  fifo?: { groupBy: string };
}

/** A message as a handler receives it. */
export interface Delivery {
  /** Stable for the life of the message, across redeliveries and redrive. */
  messageId: string;
  queue: string;
  event: EventEnvelope;
  /** 1 on the first delivery. */
  receiveCount: number;
  groupId?: string;
  /** Keep the message invisible for `ms` from now (SQS ChangeMessageVisibility). */
  extendVisibility(ms: number): Promise<void>;
}

/** Resolving acknowledges (deletes) the message; throwing schedules a retry or dead-letters it. */
export type Handler = (delivery: Delivery) => Promise<void>;

export interface ConsumeOptions {
  /** Handlers running at once for this queue in this process. */
  concurrency?: number;
}

export interface Subscription {
  /** Stops taking new messages and waits for running handlers to finish. */
  stop(): Promise<void>;
}

export interface QueueStats {
  name: string;
  /** Messages waiting to be received now. */
  depth: number;
  inFlight: number;
  /** Messages waiting for their retry delay. */
  delayed: number;
  dlqDepth: number;
  /** Age of the oldest message not yet acknowledged (0 when empty). */
  oldestAgeMs: number;
  /** Acknowledged by this process since it started. */
  processed: number;
  /** Failed handler runs in this process since it started. */
  failed: number;
}

export interface DeliveryAttempt {
  at: string;
  error: string;
}

export interface DeadLetter {
  /** The message id; pass it to `redrive` to move just this message. */
  id: string;
  event: EventEnvelope;
  receiveCount: number;
  attempts: DeliveryAttempt[];
  lastError: string;
  firstFailedAt: string;
}

/**
 * The event backbone behind one interface: rules route published events to queues that behave
 * like SQS. Implemented by the embedded transport, by NATS JetStream and by EventBridge with SQS.
 */
export interface Transport {
  readonly kind: "embedded" | "nats" | "aws";
  /** Creates the queue and its DLQ, or updates their settings. Idempotent. */
  declareQueue(config: QueueConfig): Promise<void>;
  /**
   * Stops this process's consumers of the queue, then deletes it with its messages and its DLQ.
   * Throws while a rule still targets it; a queue that does not exist is already deleted.
   */
  deleteQueue(name: string): Promise<void>;
  /** Creates or replaces a rule by name. Throws InvalidPatternError for a bad pattern. */
  putRule(rule: Rule): Promise<void>;
  deleteRule(name: string): Promise<void>;
  listRules(): Promise<Rule[]>;
  /** Routes each event to the queues of every matching rule. Resolves once durable. */
  publish(events: EventEnvelope[]): Promise<void>;
  consume(queue: string, handler: Handler, options?: ConsumeOptions): Promise<Subscription>;
  /** Stats for every declared queue. */
  stats(): Promise<QueueStats[]>;
  deadLetters(queue: string, options?: { limit?: number }): Promise<DeadLetter[]>;
  /** Moves dead letters back to their queue with a fresh receive count; all when ids is absent. */
  redrive(queue: string, ids?: string[]): Promise<number>;
  /** Deletes every message of the queue (not its DLQ). Returns how many were removed. */
  purge(queue: string): Promise<number>;
  close(): Promise<void>;
}
