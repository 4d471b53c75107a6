import type { KV } from "@nats-io/kv";
import type { DeliveryAttempt } from "../transport.ts";
import type { NatsNames } from "./names.ts";

/** One failed receive of a message: `receive` is its JetStream delivery count. */
export interface RecordedAttempt extends DeliveryAttempt {
  receive: number;
}

/**
 * The failed attempts of messages still in their queue, keyed by queue and stream sequence, so that a
 * dead letter carries every attempt's error. Written only when a handler fails; a message that
 * succeeds on its first receive never touches the bucket.
 */
export class AttemptStore {
  constructor(
    private readonly kv: KV,
    private readonly names: NatsNames,
  ) {}

  async read(queue: string, streamSequence: number): Promise<RecordedAttempt[]> {
    const entry = await this.kv.get(this.names.attemptsKey(queue, streamSequence));
    return entry && entry.operation === "PUT" && entry.length > 0 ? entry.json<RecordedAttempt[]>() : [];
  }

  /** Records one failure (replacing a timeout noted for the same receive) and returns every attempt. */
  async record(queue: string, streamSequence: number, attempt: RecordedAttempt): Promise<RecordedAttempt[]> {
    const earlier = await this.read(queue, streamSequence);
    const attempts = [...earlier.filter((a) => a.receive !== attempt.receive), attempt].sort(
      (a, b) => a.receive - b.receive,
    );
    await this.kv.put(this.names.attemptsKey(queue, streamSequence), JSON.stringify(attempts));
    return attempts;
  }

  /**
   * Called when a message arrives for its `receive`-th time: every earlier receive without a recorded
   * failure ended without an answer, so it is recorded as a timeout now, close to when it expired.
   */
  async noteTimeouts(
    queue: string,
    streamSequence: number,
    receive: number,
    visibilityTimeoutMs: number,
  ): Promise<RecordedAttempt[]> {
    const recorded = await this.read(queue, streamSequence);
    const attempts = completeAttempts(recorded, receive - 1, visibilityTimeoutMs);
    if (attempts.length > recorded.length) {
      await this.kv.put(this.names.attemptsKey(queue, streamSequence), JSON.stringify(attempts));
    }
    return attempts;
  }

  async clear(queue: string, streamSequence: number): Promise<void> {
    await this.kv.purge(this.names.attemptsKey(queue, streamSequence));
  }
}

/**
 * The attempts of a message received `receives` times, in order: recorded failures as they were,
 * and a timeout for each receive that ended without an answer (the process died or the handler ran
 * past its visibility timeout).
 */
export function completeAttempts(
  recorded: RecordedAttempt[],
  receives: number,
  visibilityTimeoutMs: number,
  now = new Date(),
): RecordedAttempt[] {
  const byReceive = new Map(recorded.map((attempt) => [attempt.receive, attempt]));
  const attempts: RecordedAttempt[] = [];
  for (let receive = 1; receive <= receives; receive++) {
    attempts.push(
      byReceive.get(receive) ?? {
        receive,
        at: now.toISOString(),
        error: `no acknowledgement within the visibility timeout of ${visibilityTimeoutMs} ms`,
      },
    );
  }
  return attempts;
}
