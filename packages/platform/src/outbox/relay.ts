import type { EventEnvelope } from "@mercato/contracts";
import { type Kysely, sql } from "kysely";
import type { Transport } from "../bus/transport.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import type { Logger } from "../log.ts";
import { withRelaySpan } from "../tracing/trace-context.ts";
import type { OutboxRow } from "./outbox.ts";
import { type MessagingTables, outboxChannel } from "./tables.ts";

export interface OutboxRelayOptions<DB = unknown> {
  database: ServiceDatabase<DB>;
  transport: Transport;
  logger: Logger;
  /** Rows published per transaction. */
  batchSize?: number;
  /** How often to look for rows when no notification arrives (a missed NOTIFY, another process). */
  pollIntervalMs?: number;
  /** Called after each published batch, for metrics. */
  onPublished?: (count: number) => void;
}

/**
 * Moves events from a service's outbox to the bus.
 *
 * Rows this process commits are handed over right after the commit (`committed`) and published
 * from memory, in commit order, without reading them back; their rows are deleted afterwards, while
 * the next publishes go out, by one statement for all the rows published since the last one. That
 * is at most one statement per batch instead of a transaction of three, and no NOTIFY.
 *
 * Everything else is swept from the table, as the only path before: rows written by other
 * processes or by writers that hand nothing over, and rows left by a crash or a failed publish.
 * Each sweep is one transaction: take the service's relay lock, read the oldest rows (not those in
 * memory here), publish them, delete them. A crash before the commit leaves the rows to be
 * published again (consumers' inboxes absorb the repeat), so nothing committed is lost. The
 * transaction-scoped advisory lock lets relays run in several processes: one sweeps at a time, in
 * outbox order. A sweep runs at start, on a NOTIFY, and every `pollIntervalMs`.
 *
 * When a publish from memory fails, its rows stay in the table and the relay stops taking rows
 * in memory until a sweep has published the backlog, so that the events still go out in the
 * order they were written. (A row committed during that last sweep may go out after rows handed
 * over just after it: only around a failure, and only between writes that no bus event ordered.)
 */
export class OutboxRelay<DB = unknown> {
  private readonly db: Kysely<MessagingTables>;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private notified = false;
  /** Committed here and not yet published. */
  private readonly handedOver: OutboxRow[] = [];
  /** Rows in memory, being published, or published and not yet deleted: sweeps leave them. */
  private readonly held = new Set<number>();
  /** After a failed publish, until a sweep has caught up: rows are left to sweeps. */
  private catchingUp = false;
  /** Published rows whose delete has not started; one statement takes all that gathered. */
  private toDelete: number[] = [];
  private deletes: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions<DB>) {
    this.db = options.database.db as unknown as Kysely<MessagingTables>;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.options.database.listen(outboxChannel(this.options.database.schema), () =>
      this.notify(),
    );
    this.loop = this.run();
  }

  /** Sweeps now (for writers that know they just committed rows they did not hand over). */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /** Rows a transaction of this process has just committed, in the order they were written. */
  committed(rows: OutboxRow[]): void {
    // Not running, or catching up: a sweep publishes them, in order.
    if (!this.running || this.catchingUp || rows.length === 0) return;
    for (const row of rows) {
      this.handedOver.push(row);
      this.held.add(row.seq);
    }
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    while (this.deletes) await this.deletes;
    await this.unlisten?.();
  }

  /** Sweeps one batch; returns how many events went out (0 when empty or another relay holds the lock). */
  async relayBatch(): Promise<number> {
    return (await this.sweepBatch()).length;
  }

  /** One sweep's transaction; resolves with the seqs it published. */
  private async sweepBatch(): Promise<number[]> {
    const held = [...this.held];
    return this.db.transaction().execute(async (transaction) => {
      // One round trip takes the service's relay lock and the oldest rows: the rows are deleted
      // here and come back if publishing fails, because the transaction then rolls back.
      const taken = await sql<{ seq: string | number; event: EventEnvelope }>`
        WITH relay AS (
          SELECT pg_try_advisory_xact_lock(hashtext(${`mercato:outbox:${this.options.database.schema}`})) AS locked
        )
        DELETE FROM outbox
        WHERE seq IN (
          SELECT seq FROM outbox, relay
          WHERE relay.locked ${held.length > 0 ? sql`AND NOT (seq = ANY(${held}::bigint[]))` : sql``}
          ORDER BY seq LIMIT ${this.batchSize}
        )
        RETURNING seq, event
      `.execute(transaction);
      if (taken.rows.length === 0) return [];
      const rows = [...taken.rows].sort((a, b) => Number(a.seq) - Number(b.seq));
      const events = rows.map((row) => row.event);
      await withRelaySpan(events, () => this.options.transport.publish(events));
      return rows.map((row) => Number(row.seq));
    });
  }

  private async run(): Promise<void> {
    let sweepDue = 0;
    while (this.running) {
      if (this.handedOver.length > 0) {
        await this.publishHandedOver();
        continue;
      }
      if (this.notified || this.catchingUp || Date.now() >= sweepDue) {
        this.notified = false;
        const swept = await this.sweep();
        // A full batch leaves more behind; a failed one waits for the next poll.
        if (swept === this.batchSize) continue;
        if (swept !== undefined) this.catchingUp = false;
        sweepDue = Date.now() + this.pollIntervalMs;
        if (this.notified || this.handedOver.length > 0) continue;
      }
      await this.sleep(Math.max(0, sweepDue - Date.now()));
    }
  }

  private async publishHandedOver(): Promise<void> {
    const rows = this.handedOver.splice(0, this.batchSize);
    const events = rows.map((row) => row.event);
    try {
      await withRelaySpan(events, () => this.options.transport.publish(events));
    } catch (error) {
      this.options.logger.error(
        { err: error, service: this.options.database.schema },
        "outbox relay could not publish; the events stay in the outbox for the next sweep",
      );
      this.catchingUp = true;
      for (const row of [...rows, ...this.handedOver.splice(0)]) this.held.delete(row.seq);
      return;
    }
    this.options.onPublished?.(rows.length);
    for (const row of rows) this.toDelete.push(row.seq);
    this.deletes ??= this.deletePublished();
  }

  /**
   * Deletes published rows, those published meanwhile in the next statement, until none is left.
   * Rows whose delete fails are published again by a sweep (inboxes absorb the repeat).
   */
  private async deletePublished(): Promise<void> {
    while (this.toDelete.length > 0) {
      const seqs = this.toDelete;
      this.toDelete = [];
      try {
        await sql`DELETE FROM outbox WHERE seq = ANY(${seqs}::bigint[])`.execute(this.db);
      } catch (error) {
        this.options.logger.warn(
          { err: error, service: this.options.database.schema },
          "outbox relay could not delete published rows; a sweep will publish them again",
        );
      } finally {
        for (const seq of seqs) this.held.delete(seq);
      }
    }
    this.deletes = undefined;
  }

  /** One sweep: how many events went out, or undefined when it failed. */
  private async sweep(): Promise<number | undefined> {
    try {
      const published = await this.sweepBatch();
      this.forgetSwept(published);
      if (published.length > 0) this.options.onPublished?.(published.length);
      return published.length;
    } catch (error) {
      this.options.logger.error(
        { err: error, service: this.options.database.schema },
        "outbox relay batch failed",
      );
      return undefined;
    }
  }

  /** Rows handed over while a sweep ran may be among those it took: they went out already. */
  private forgetSwept(seqs: number[]): void {
    if (seqs.length === 0 || this.handedOver.length === 0) return;
    const swept = new Set(seqs);
    const left = this.handedOver.filter((row) => !swept.has(row.seq));
    this.handedOver.splice(0, this.handedOver.length, ...left);
    for (const seq of seqs) this.held.delete(seq);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
