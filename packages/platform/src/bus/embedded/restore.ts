import type { Logger } from "../../log.ts";
import { type BusStore, queueRange, type StoredMessage } from "./bus-store.ts";
import type { DueTimer } from "./due-timer.ts";
import { QueueState } from "./queue-state.ts";
import { type IndexedFields, newMessage } from "./queued-message.ts";

type LoadedMessage = IndexedFields & Pick<StoredMessage, "receivedAt" | "retryAt"> & { id: string };

/**
 * Rebuilds the in-memory queues from LMDB at open: their settings, the index of their messages in
 * `order`, and their dead-letter counts, into `queues`. A message received by a process that is
 * gone is ready at once; a delayed retry keeps its time. Returns the next free `order`.
 */
export function restoreQueues(
  store: BusStore,
  queues: Map<string, QueueState>,
  timer: DueTimer,
  logger: Logger,
): number {
  for (const { value: config } of store.queues.getRange()) {
    queues.set(config.name, new QueueState(config));
  }
  let nextOrder = 0;
  const now = Date.now();
  const loaded = new Map<string, LoadedMessage[]>();
  for (const { key, value } of store.messages.getRange()) {
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
    const queue = queues.get(queueName);
    if (!queue) {
      logger.error({ queue: queueName, messages: list.length }, "messages stored for an undeclared queue");
      continue;
    }
    list.sort((a, b) => a.order - b.order);
    for (const loadedMessage of list) {
      const { receivedAt, retryAt } = loadedMessage;
      // A message received by a process that is gone is delivered again at once.
      const delayed = receivedAt === undefined && retryAt !== undefined && retryAt > now;
      const message = newMessage(loadedMessage.id, queueName, loadedMessage, delayed ? "delayed" : "ready");
      queue.add(message);
      if (delayed) timer.schedule(message, retryAt);
      nextOrder = Math.max(nextOrder, loadedMessage.order + 1);
    }
  }
  for (const queue of queues.values()) {
    queue.dlqDepth = store.deadLetters.getKeysCount(queueRange(queue.config.name));
  }
  return nextOrder;
}
