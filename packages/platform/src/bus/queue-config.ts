import type { QueueConfig } from "./transport.ts";

/** Rejects settings that would make a queue misbehave, with a message naming the bad field. */
export function validateQueueConfig(config: QueueConfig): QueueConfig {
  const problems: string[] = [];
  if (typeof config.name !== "string" || config.name.length === 0)
    problems.push("name must be a non-empty string");
  if (!(Number.isFinite(config.visibilityTimeoutMs) && config.visibilityTimeoutMs > 0)) {
    problems.push("visibilityTimeoutMs must be a positive number");
  }
  if (!(Number.isInteger(config.maxReceiveCount) && config.maxReceiveCount >= 1)) {
    problems.push("maxReceiveCount must be an integer of at least 1");
  }
  const backoff = config.backoff;
  if (!(backoff && Number.isFinite(backoff.baseMs) && backoff.baseMs >= 0)) {
    problems.push("backoff.baseMs must be a number of at least 0");
  } else if (!(Number.isFinite(backoff.maxMs) && backoff.maxMs >= backoff.baseMs)) {
    problems.push("backoff.maxMs must be a number of at least backoff.baseMs");
  }
  if (
    config.fifo !== undefined &&
    !(typeof config.fifo.groupBy === "string" && config.fifo.groupBy.length > 0)
  ) {
    problems.push("fifo.groupBy must be a non-empty dot path such as detail.orderId");
  }
  if (problems.length > 0) {
    throw new Error(`Invalid queue config${config.name ? ` "${config.name}"` : ""}: ${problems.join("; ")}`);
  }
  const copy: QueueConfig = {
    name: config.name,
    visibilityTimeoutMs: config.visibilityTimeoutMs,
    maxReceiveCount: config.maxReceiveCount,
    backoff: { baseMs: backoff.baseMs, maxMs: backoff.maxMs },
  };
  if (config.fifo) copy.fifo = { groupBy: config.fifo.groupBy };
  return copy;
}
