import type { EventEnvelope } from "@mercato/contracts";
import { groupIdOf } from "../group-id.ts";
import type { DeliveryAttempt, QueueConfig } from "../transport.ts";
import type { StoredMessage } from "./bus-store.ts";

export type MessageState = "ready" | "delayed" | "inFlight";

/** What the transport keeps in memory for a message; the event itself stays in LMDB until delivery. */
export interface QueuedMessage {
  readonly id: string;
  readonly queue: string;
  readonly order: number;
  /** The FIFO group; undefined on a standard queue. */
  readonly groupId: string | undefined;
  readonly enqueuedAt: number;
  state: MessageState;
  /** Receives so far; a delivery whose count no longer matches has been superseded by a redelivery. */
  receiveCount: number;
  /** When a delayed message becomes ready, or when an in-flight message's visibility ends. */
  dueAt: number;
  /** Bumped whenever dueAt changes, so that timer entries for an older dueAt are ignored. */
  dueVersion: number;
  /** Acknowledged, dead-lettered or purged: nothing may touch it anymore. */
  removed: boolean;
}

/** The fields of a stored message that its in-memory index keeps. */
export type IndexedFields = Pick<StoredMessage, "order" | "groupId" | "enqueuedAt" | "receiveCount">;

/** The index entry of a message, ready to deliver or delayed until its due time. */
export function newMessage(
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

/** A message to store for `event` in `queue` (published, or redriven with its earlier attempts). */
export function newRecord(
  event: EventEnvelope,
  queue: QueueConfig,
  order: number,
  enqueuedAt: number,
  attempts: DeliveryAttempt[] = [],
): StoredMessage {
  const record: StoredMessage = { event, order, enqueuedAt, receiveCount: 0, attempts };
  const fifo = queue.fifo;
  const groupId = fifo ? groupIdOf(event, fifo.groupBy) : undefined;
  if (groupId !== undefined) record.groupId = groupId;
  return record;
}
