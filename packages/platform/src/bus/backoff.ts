import type { QueueConfig } from "./transport.ts";

/**
 * How long a message waits before its next delivery after the `receiveCount`-th receive failed:
 * exponential backoff with full jitter (a uniform draw in [0, min(maxMs, baseMs * 2^(receiveCount-1))]),
 * which spreads the retries of messages that failed together instead of retrying them in lockstep.
 */
export function retryDelayMs(
  receiveCount: number,
  backoff: QueueConfig["backoff"],
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, receiveCount - 1);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.round(random() * ceiling);
}
