import { type EventEnvelope, eventEnvelopeSchema } from "@mercato/contracts";
import type { Kysely, Transaction } from "kysely";
import type { Delivery, Handler } from "../bus/transport.ts";
import type { ServiceDatabase } from "../db/databases.ts";
import type { MessagingTables } from "./tables.ts";

export interface InboxContext<DB> {
  /** The transaction that also records the event in the inbox: do every write through it. */
  transaction: Transaction<DB>;
  delivery: Delivery;
}

export type InboxHandler<DB> = (event: EventEnvelope, context: InboxContext<DB>) => Promise<void>;

/**
 * Wraps a handler so that it runs at most once per event for this consumer: the event id goes
 * into the inbox in the same transaction as the handler's effects, so a redelivered event finds
 * its id there and changes nothing. The envelope is validated before anything runs.
 */
export function withInbox<DB>(
  database: ServiceDatabase<DB>,
  consumer: string,
  handler: InboxHandler<DB>,
): Handler {
  const db = database.db as unknown as Kysely<MessagingTables>;
  return async (delivery) => {
    const event = eventEnvelopeSchema.parse(delivery.event) as EventEnvelope;
    await db.transaction().execute(async (transaction) => {
      const recorded = await transaction
        .insertInto("inbox")
        .values({ consumer, event_id: event.id })
        .onConflict((conflict) => conflict.doNothing())
        .returning("event_id")
        .executeTakeFirst();
      if (!recorded) return;
      await handler(event, { transaction: transaction as unknown as Transaction<DB>, delivery });
    });
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
