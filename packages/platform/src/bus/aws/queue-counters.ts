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
   * Event id -> the message that carries it, for events handled or being handled. EventBridge
   * delivers an event once per matching rule, so two rules of one queue put two copies in it; the
   * second copy is acknowledged without running the handler.
   */
  readonly #claims = new Map<string, { messageId: string; at: number }>();
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

  /** False when another message already carries this event (a second copy from another rule). */
  claim(eventId: string, messageId: string, now = Date.now()): boolean {
    const claim = this.#claims.get(eventId);
    if (claim && claim.messageId !== messageId && now - claim.at < HANDLED_TTL_MS) return false;
    this.#claims.delete(eventId);
    this.#claims.set(eventId, { messageId, at: now });
    for (const [id, { at }] of this.#claims) {
      if (this.#claims.size <= HANDLED_LIMIT && now - at < HANDLED_TTL_MS) break;
      this.#claims.delete(id);
    }
    return true;
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
