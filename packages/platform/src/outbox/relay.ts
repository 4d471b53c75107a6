import type { EventEnvelope } from "@mercato/contracts";
import { type Kysely, sql } from "kysely";
import type { Transport } from "../bus/transport.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import type { Logger } from "../log.ts";
import { withRelaySpan } from "../tracing/trace-context.ts";
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
 * Moves events from a service's outbox to the bus. Each batch is one transaction: take the
 * service's relay lock, read the oldest rows, publish them, delete them. A crash before the commit
 * leaves the rows to be published again (consumers' inboxes absorb the repeat), so nothing
 * committed is lost. The transaction-scoped advisory lock lets relays run in several processes:
 * one publishes at a time, in outbox order, and another takes over the moment it stops.
 */
export class OutboxRelay<DB = unknown> {
  private readonly db: Kysely<MessagingTables>;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private pendingWake = false;

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

  /** Wakes the relay now (for writers in this process that know they just committed). */
  notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.unlisten?.();
  }

  /** Publishes one batch; returns how many events went out (0 when empty or another relay holds the lock). */
  async relayBatch(): Promise<number> {
    return this.db.transaction().execute(async (transaction) => {
      // One round trip takes the service's relay lock and the oldest rows: the rows are deleted
      // here and come back if publishing fails, because the transaction then rolls back.
      const taken = await sql<{ seq: string | number; event: EventEnvelope }>`
        WITH relay AS (
          SELECT pg_try_advisory_xact_lock(hashtext(${`mercato:outbox:${this.options.database.schema}`})) AS locked
        )
        DELETE FROM outbox
        WHERE seq IN (
          SELECT seq FROM outbox, relay WHERE relay.locked ORDER BY seq LIMIT ${this.batchSize}
        )
        RETURNING seq, event
      `.execute(transaction);
      if (taken.rows.length === 0) return 0;
      const rows = [...taken.rows].sort((a, b) => Number(a.seq) - Number(b.seq));
      const events = rows.map((row) => row.event);
      await withRelaySpan(events, () => this.options.transport.publish(events));
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      const published = await this.relayBatchLogged();
      // A batch that was not full took every row committed before it began; a row committed
      // since then woke the relay (pendingWake), so only then is another look worth a transaction.
      if (published < this.batchSize && !this.pendingWake) await this.sleep(this.pollIntervalMs);
    }
  }

  private async relayBatchLogged(): Promise<number> {
    try {
      const published = await this.relayBatch();
      if (published > 0) this.options.onPublished?.(published);
      return published;
    } catch (error) {
      this.options.logger.error(
        { err: error, service: this.options.database.schema },
        "outbox relay batch failed",
      );
      return 0;
    }
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
