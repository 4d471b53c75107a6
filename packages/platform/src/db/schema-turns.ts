/** Turns a waiter for the schema already set may take ahead of others, in a row. */
const maxTurnsAhead = 8;

/**
 * Turns at the one PGlite session that every service of the process shares. First come, first
 * served, except that a waiter for the schema the session is set to goes ahead: a turn for
 * another schema costs a `SET search_path` statement first, which was one statement in six when
 * every service of `npm start` took its turn in arrival order. Going ahead is bounded, so a
 * schema nobody else waits for is served after at most `maxTurnsAhead` turns of the others.
 */
export class SchemaTurns {
  private busy = false;
  private ahead = 0;
  private readonly waiting: { schema: string; start: () => void }[] = [];

  /** Resolves when it is this schema's turn; the caller must `release` it. */
  acquire(schema: string): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      this.ahead = 0;
      return Promise.resolve();
    }
    return new Promise((start) => this.waiting.push({ schema, start: () => start() }));
  }

  /** Ends the turn and starts the next one, given the schema the session is now set to. */
  release(current: string | undefined): void {
    const sameSchema =
      this.ahead < maxTurnsAhead ? this.waiting.findIndex((waiter) => waiter.schema === current) : -1;
    const next = Math.max(sameSchema, 0);
    const [waiter] = this.waiting.splice(next, 1);
    if (!waiter) {
      this.busy = false;
      return;
    }
    this.ahead = sameSchema > 0 ? this.ahead + 1 : 0;
    waiter.start();
  }
}
