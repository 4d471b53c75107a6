import type { DeliveryAttempt } from "../transport.ts";

/** How long an acknowledged event id is remembered, to drop a second copy of the event. */
const HANDLED_TTL_MS = 10 * 60 * 1000;
const HANDLED_LIMIT = 50_000;

/** What this process knows about one queue beyond what SQS reports, for `stats()` and dead letters. */
export class QueueCounters {
  processed = 0;
  failed = 0;
  /** Message id -> when its retry is due, for messages this process put back with a delay. */
  readonly retryDueAt = new Map<string, number>();
  /** Message id -> when SQS received it, for messages this process holds (running or delayed). */
  readonly heldSince = new Map<string, number>();
  /** Message id -> the failed attempts seen by this process, until it is acknowledged or dead. */
  readonly attempts = new Map<string, DeliveryAttempt[]>();
  /**
   * Event id -> the message that carries it and where its handling is, for events handled or
   * being handled. EventBridge delivers an event once per matching rule, so two rules of one queue
   * put two copies in it; and a standard queue may hand out one message twice at once.
   */
  readonly #claims = new Map<
    string,
    { messageId: string; state: "running" | "retrying" | "done"; at: number }
  >();
  readonly #moving = new Set<Promise<void>>();

  /** Messages still waiting for their retry delay; forgets those already due. */
  delayed(now = Date.now()): number {
    let count = 0;
    for (const [messageId, dueAt] of this.retryDueAt) {
      if (dueAt > now) count++;
      else this.retryDueAt.delete(messageId);
    }
    return count;
  }

  /** Age of the oldest message this process holds unacknowledged, 0 when none. */
  oldestHeldAgeMs(now = Date.now()): number {
    let oldest = now;
    for (const since of this.heldSince.values()) oldest = Math.min(oldest, since);
    return now - oldest;
  }

  /**
   * What to do with a received message of this event: `run` its handler; drop a `copy` (another
   * message of the same event, or this message again after it was handled) by deleting it; or
   * leave a second receive of a message whose handler is `running` to that handler.
   */
  claim(eventId: string, messageId: string, now = Date.now()): "run" | "copy" | "running" {
    const claim = this.#claims.get(eventId);
    if (claim && now - claim.at < HANDLED_TTL_MS) {
      if (claim.messageId !== messageId || claim.state === "done") return "copy";
      if (claim.state === "running") return "running";
    }
    this.#claims.delete(eventId);
    this.#claims.set(eventId, { messageId, state: "running", at: now });
    for (const [id, { at }] of this.#claims) {
      if (this.#claims.size <= HANDLED_LIMIT && now - at < HANDLED_TTL_MS) break;
      this.#claims.delete(id);
    }
    return "run";
  }

  /** The handler of the event's message finished: acknowledged (`done`) or to be tried again. */
  handled(eventId: string, state: "retrying" | "done"): void {
    const claim = this.#claims.get(eventId);
    if (claim) claim.state = state;
  }

  /** The message has left the queue (acknowledged or dead-lettered): nothing more to keep. */
  settled(messageId: string): void {
    this.retryDueAt.delete(messageId);
    this.heldSince.delete(messageId);
    this.attempts.delete(messageId);
  }

  trackMove(move: Promise<void>): Promise<void> {
    this.#moving.add(move);
    return move.finally(() => this.#moving.delete(move));
  }

  async movesSettled(): Promise<void> {
    await Promise.allSettled([...this.#moving]);
  }
}
