import { type EventEnvelope, eventEnvelopeSchema } from "@mercato/contracts";
import type { Kysely, Transaction } from "kysely";
import type { Delivery, Handler } from "../bus/transport.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import { GroupCommit } from "./group-commit.ts";
import type { MessagingTables } from "./tables.ts";

export interface InboxContext<DB> {
  /** The transaction that also records the event in the inbox: do every write through it. */
  transaction: Transaction<DB>;
  delivery: Delivery;
  /** Runs `callback` once the transaction has committed; never when it rolls back. */
  afterCommit(callback: () => void): void;
}

export type InboxHandler<DB> = (event: EventEnvelope, context: InboxContext<DB>) => Promise<void>;

export interface InboxOptions {
  /** Events handled in one transaction at most. */
  maxBatch?: number;
  /** Batch transactions running at once for this consumer. */
  maxConcurrentBatches?: number;
}

interface Received {
  delivery: Delivery;
  event: EventEnvelope;
}

/**
 * Wraps a handler so that it runs at most once per event for this consumer: the event id goes
 * into the inbox in the same transaction as the handler's effects, so a redelivered event finds
 * its id there and changes nothing. The envelope is validated before anything runs.
 *
 * Deliveries that arrive while a transaction is running are handled together in the next one
 * (group commit): one inbox insert and one commit for the batch instead of one per event. When a
 * handler in a batch fails, the batch is rolled back and each of its events is handled again in a
 * transaction of its own, so one failing event never fails the others. A handler may therefore
 * run more than once for an event whose effects did not commit; the inbox guarantees only that
 * committed effects happen once, which is what at-least-once delivery asks of handlers anyway.
 */
export function withInbox<DB>(
  database: ServiceDatabase<DB>,
  consumer: string,
  handler: InboxHandler<DB>,
  options: InboxOptions = {},
): Handler {
  const db = database.db as unknown as Kysely<MessagingTables>;

  const handleInTransaction = async (received: Received[]) => {
    const committed: (() => void)[] = [];
    const afterCommit = (callback: () => void) => {
      committed.push(callback);
    };
    await db.transaction().execute(async (transaction) => {
      const unique = [...new Map(received.map((entry) => [entry.event.id, entry])).values()];
      const recorded = await transaction
        .insertInto("inbox")
        .values(unique.map(({ event }) => ({ consumer, event_id: event.id })))
        .onConflict((conflict) => conflict.doNothing())
        .returning("event_id")
        .execute();
      const fresh = new Set(recorded.map((row) => row.event_id));
      for (const { event, delivery } of unique) {
        if (!fresh.has(event.id)) continue;
        await handler(event, {
          transaction: transaction as unknown as Transaction<DB>,
          delivery,
          afterCommit,
        });
      }
    });
    for (const callback of committed) callback();
  };

  const batches = new GroupCommit<Received>(
    async (batch) => {
      try {
        await handleInTransaction(batch.map((pending) => pending.item));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        if (batch.length === 1) throw error;
        await Promise.all(
          batch.map((pending) => handleInTransaction([pending.item]).then(pending.resolve, pending.reject)),
        );
      }
    },
    options.maxBatch ?? 100,
    // PGlite runs one transaction at a time anyway; on PostgreSQL a second overlaps the commit wait.
    options.maxConcurrentBatches ?? (database.engine === "pglite" ? 1 : 2),
  );

  return async (delivery) => {
    const event = eventEnvelopeSchema.parse(delivery.event) as EventEnvelope;
    await batches.submit({ delivery, event });
  };
}

/** Forgets processed event ids older than the longest redelivery horizon. */
export async function pruneInbox<DB>(database: ServiceDatabase<DB>, olderThanMs: number): Promise<number> {
  const db = database.db as unknown as Kysely<MessagingTables>;
  const result = await db
    .deleteFrom("inbox")
    .where("processed_at", "<", new Date(Date.now() - olderThanMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
