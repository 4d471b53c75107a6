import type { QueueStats } from "../bus/transport.ts";

/**
 * How the answers of several processes become one (distributed deployments). Instances of one
 * service report the same queue: its depth, in-flight, delayed, dead letters and oldest age
 * are the queue's own, read by each (the largest is the latest), while processed and failed
 * count what each process did and add up.
 */
export function mergeQueueStats(answers: readonly (readonly QueueStats[])[]): QueueStats[] {
  const byName = new Map<string, QueueStats>();
  for (const queue of answers.flat()) {
    const seen = byName.get(queue.name);
    byName.set(
      queue.name,
      seen
        ? {
            name: queue.name,
            depth: Math.max(seen.depth, queue.depth),
            inFlight: Math.max(seen.inFlight, queue.inFlight),
            delayed: Math.max(seen.delayed, queue.delayed),
            dlqDepth: Math.max(seen.dlqDepth, queue.dlqDepth),
            oldestAgeMs: Math.max(seen.oldestAgeMs, queue.oldestAgeMs),
            processed: seen.processed + queue.processed,
            failed: seen.failed + queue.failed,
          }
        : { ...queue },
    );
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Items reported by several processes once each, the first seen kept, in the order first seen. */
export function distinctBy<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(keyOf(item))) seen.set(keyOf(item), item);
  return [...seen.values()];
}
