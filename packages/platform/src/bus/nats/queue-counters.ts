/** What this process counts about a queue, for `stats()`. */
export class QueueCounters {
  processed = 0;
  failed = 0;
  /** Stream sequence -> when its retry is due, for messages this process put back with a delay. */
  readonly retryDueAt = new Map<number, number>();
  readonly #moving = new Set<Promise<void>>();

  /** Messages still waiting for their retry delay; forgets those already due. */
  delayed(now = Date.now()): number {
    let count = 0;
    for (const [sequence, dueAt] of this.retryDueAt) {
      if (dueAt > now) count++;
      else this.retryDueAt.delete(sequence);
    }
    return count;
  }

  /** Tracks a move to the DLQ, which is two steps: store the dead letter, then remove the original. */
  trackMove(move: Promise<void>): Promise<void> {
    this.#moving.add(move);
    return move.finally(() => this.#moving.delete(move));
  }

  /** Resolves once the moves under way have finished both steps. */
  async movesSettled(): Promise<void> {
    await Promise.allSettled([...this.#moving]);
  }
}
