import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import { type Database, open, type RootDatabase } from "lmdb";
import type { DeliveryAttempt, QueueConfig, Rule } from "../transport.ts";

/** A message waiting in a queue, as stored under the key [queue, messageId]. */
export interface StoredMessage {
  event: EventEnvelope;
  /** Position in the queue: publish order, or redrive order for a redriven message. */
  order: number;
  enqueuedAt: number;
  groupId?: string;
  receiveCount: number;
  attempts: DeliveryAttempt[];
  /** Set by a receive until its outcome is recorded; still set at the next receive means that
   * the handler never reported back (visibility timeout, or its process died). */
  receivedAt?: string;
  /** After a failure: when the message becomes visible again. */
  retryAt?: number;
}

/** A dead letter, stored under the key [queue, messageId]. */
export interface StoredDeadLetter {
  event: EventEnvelope;
  order: number;
  groupId?: string;
  receiveCount: number;
  attempts: DeliveryAttempt[];
  deadAt: string;
}

export type QueueKey = [queue: string, messageId: string];

export interface BusStore {
  root: RootDatabase;
  queues: Database<QueueConfig, string>;
  rules: Database<Rule, string>;
  messages: Database<StoredMessage, QueueKey>;
  deadLetters: Database<StoredDeadLetter, QueueKey>;
}

/**
 * Opens the bus's LMDB environment under `<dataDir>/bus/`. Without `sync`, commits are not fsynced:
 * a committed write survives a crash of the process (it is in the OS page cache) but not a power
 * loss or kernel crash. With `sync`, every commit is flushed to disk before its promise resolves.
 */
export function openBusStore(dataDir: string, sync: boolean): BusStore {
  const dir = join(dataDir, "bus");
  mkdirSync(dir, { recursive: true });
  const root = open({
    path: join(dir, "bus.mdb"),
    noSync: !sync,
    // Off so that a write's promise means durable when `sync` is on (overlapping sync resolves
    // before the flush), and so that the flag stored in the file never conflicts with noSync.
    overlappingSync: false,
    maxDbs: 8,
  });
  const structured = { sharedStructuresKey: Symbol.for("structures") };
  return {
    root,
    queues: root.openDB<QueueConfig, string>("queues", {}),
    rules: root.openDB<Rule, string>("rules", {}),
    messages: root.openDB<StoredMessage, QueueKey>("messages", structured),
    deadLetters: root.openDB<StoredDeadLetter, QueueKey>("dead-letters", structured),
  };
}

/** The range of keys [queue, *] in a database keyed by [queue, messageId]. */
export function queueRange(queue: string): { start: QueueKey; end: QueueKey } {
  return { start: [queue, ""], end: [queue, "\uffff"] };
}

/** Deletes a queue's settings, messages and dead letters in one transaction. */
export async function removeStoredQueue(store: BusStore, queue: string): Promise<void> {
  await store.root.transaction(() => {
    for (const key of store.messages.getKeys(queueRange(queue))) store.messages.remove(key);
    for (const key of store.deadLetters.getKeys(queueRange(queue))) store.deadLetters.remove(key);
    store.queues.remove(queue);
  });
}
