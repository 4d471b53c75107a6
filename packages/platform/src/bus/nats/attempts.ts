import { JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { DeliveryAttempt } from "../transport.ts";
import type { NatsNames } from "./names.ts";

/** One failed receive of a message: `receive` is its JetStream delivery count. */
export interface RecordedAttempt extends DeliveryAttempt {
  receive: number;
}

/** A message's attempts as stored, with the revision a change must build on (0: none stored). */
export interface AttemptHistory {
  attempts: RecordedAttempt[];
  revision: number;
}

/** Nothing recorded yet: what a message's first receive starts from, without a read. */
export const noAttempts: AttemptHistory = { attempts: [], revision: 0 };

/** The store refuses a write that did not build on the latest revision. */
const WRONG_LAST_SEQUENCE = 10071;
const MAX_CONFLICTS = 5;

/**
 * The failed attempts of messages still in their queue, keyed by queue and stream sequence, so that a
 * dead letter carries every attempt's error. Written only when a handler fails; a message that
 * succeeds on its first receive never touches the bucket. Every write is conditional on the revision
 * it read, so a late failure of a handler that outlived its visibility timeout never erases the
 * attempts recorded meanwhile by another process.
 */
export class AttemptStore {
  constructor(
    private readonly kv: KV,
    private readonly names: NatsNames,
  ) {}

  async read(queue: string, streamSequence: number): Promise<AttemptHistory> {
    const entry = await this.kv.get(this.names.attemptsKey(queue, streamSequence));
    if (!entry) return noAttempts;
    const stored = entry.operation === "PUT" && entry.length > 0;
    return { attempts: stored ? entry.json<RecordedAttempt[]>() : [], revision: entry.revision };
  }

  /** Records one failure (replacing a timeout noted for the same receive) and returns every attempt. */
  record(
    queue: string,
    streamSequence: number,
    known: AttemptHistory,
    attempt: RecordedAttempt,
  ): Promise<AttemptHistory> {
    return this.#change(queue, streamSequence, known, (attempts) =>
      [...attempts.filter((a) => a.receive !== attempt.receive), attempt].sort(
        (a, b) => a.receive - b.receive,
      ),
    );
  }

  /**
   * Called when a message arrives for its `receive`-th time: every earlier receive without a recorded
   * failure ended without an answer, so it is recorded as a timeout now, close to when it expired.
   */
  noteTimeouts(
    queue: string,
    streamSequence: number,
    receive: number,
    visibilityTimeoutMs: number,
  ): Promise<AttemptHistory> {
    return this.#change(queue, streamSequence, undefined, (attempts) => {
      const complete = completeAttempts(attempts, receive - 1, visibilityTimeoutMs);
      return complete.length > attempts.length ? complete : undefined;
    });
  }

  async clear(queue: string, streamSequence: number): Promise<void> {
    await this.kv.purge(this.names.attemptsKey(queue, streamSequence));
  }

  /** Forgets every message of a deleted queue: a queue declared again under its name restarts its sequences. */
  async clearQueue(queue: string): Promise<void> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(this.names.attemptsKeys(queue))) keys.push(key);
    await Promise.all(keys.map((key) => this.kv.purge(key)));
  }

  /** Applies `change` (undefined: nothing to write) on the latest revision, re-reading on conflict. */
  async #change(
    queue: string,
    streamSequence: number,
    known: AttemptHistory | undefined,
    change: (attempts: RecordedAttempt[]) => RecordedAttempt[] | undefined,
  ): Promise<AttemptHistory> {
    const key = this.names.attemptsKey(queue, streamSequence);
    let history = known ?? (await this.read(queue, streamSequence));
    for (let conflicts = 0; ; conflicts++) {
      const attempts = change(history.attempts);
      if (!attempts) return history;
      try {
        const revision = await this.kv.put(key, JSON.stringify(attempts), { previousSeq: history.revision });
        return { attempts, revision };
      } catch (error) {
        if (
          !(error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) ||
          conflicts >= MAX_CONFLICTS
        ) {
          throw error;
        }
        history = await this.read(queue, streamSequence);
      }
    }
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
