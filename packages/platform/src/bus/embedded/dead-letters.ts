import type { DeadLetter } from "../transport.ts";
import { type BusStore, type QueueKey, queueRange, type StoredDeadLetter } from "./bus-store.ts";
import type { QueueState } from "./queue-state.ts";
import { newMessage, newRecord } from "./queued-message.ts";

/** The dead letters of a queue, oldest first, at most `limit`. */
export async function listDeadLetters(
  store: BusStore,
  queueName: string,
  limit: number | undefined,
): Promise<DeadLetter[]> {
  // Dead-lettering is written asynchronously; wait so that the list includes every one so far.
  await store.root.committed;
  const range = { ...queueRange(queueName), ...(limit === undefined ? {} : { limit }) };
  const letters: DeadLetter[] = [];
  for (const { key, value } of store.deadLetters.getRange(range)) {
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
 * Puts dead letters (those of `ids`, or all) back at the end of their queue with a receive count
 * of 0, in one LMDB transaction; `takeOrder` gives each its new position. Their attempts history is
 * kept, so a message that dead-letters again shows every attempt since its first. Returns how many
 * moved; the caller pumps the queue.
 */
export async function redriveDeadLetters(
  store: BusStore,
  queue: QueueState,
  ids: string[] | undefined,
  takeOrder: () => number,
): Promise<number> {
  const queueName = queue.config.name;
  await store.root.committed;
  const letters: Array<[QueueKey, StoredDeadLetter]> = [];
  if (ids) {
    for (const id of new Set(ids)) {
      const key: QueueKey = [queueName, id];
      const letter = store.deadLetters.get(key);
      if (letter) letters.push([key, letter]);
    }
  } else {
    for (const { key, value } of store.deadLetters.getRange(queueRange(queueName)))
      letters.push([key, value]);
  }
  if (letters.length === 0) return 0;
  const now = Date.now();
  const records = letters.map(([, letter]) =>
    newRecord(letter.event, queue.config, takeOrder(), now, letter.attempts),
  );
  await store.root.transaction(() => {
    letters.forEach(([key], i) => {
      store.deadLetters.remove(key);
      store.messages.put(key, records[i] as (typeof records)[number]);
    });
  });
  letters.forEach(([[, id]], i) => {
    queue.add(newMessage(id, queueName, records[i] as (typeof records)[number], "ready"));
  });
  queue.dlqDepth -= letters.length;
  return letters.length;
}
