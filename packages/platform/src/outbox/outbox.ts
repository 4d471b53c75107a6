import type { EventEnvelope } from "@mercato/contracts";
import { type Kysely, sql } from "kysely";
import { withPublishSpans } from "../tracing/trace-context.ts";
import { outboxChannel } from "./tables.ts";

/** An event in the outbox, with its place in the service's order. */
export interface OutboxRow {
  seq: number;
  event: EventEnvelope;
}

/**
 * Writes events to the service's outbox. Call it with the transaction that makes the state
 * change, so that the events exist if and only if the change commits. With tracing on, each event
 * is written with the trace context of its PRODUCER span, which its consumers continue.
 *
 * With `notify` (the default) a NOTIFY, delivered at commit, wakes the relays of the service
 * instead of their next poll: for writers that do not hand their rows to a relay themselves. The
 * service kit hands them over after the commit (OutboxRelay.committed) and writes without it.
 */
export async function writeToOutbox(
  transaction: Kysely<unknown>,
  schema: string,
  events: EventEnvelope[],
  options: { notify?: boolean } = {},
): Promise<OutboxRow[]> {
  if (events.length === 0) return [];
  return withPublishSpans(events, async (stamped) => {
    const rows = sql.join(stamped.map((event) => sql`(${JSON.stringify(event)}::jsonb)`));
    const written =
      options.notify === false
        ? await sql<{
            seq: string | number;
          }>`INSERT INTO outbox (event) VALUES ${rows} RETURNING seq`.execute(transaction)
        : await sql<{ seq: string | number }>`
            WITH written AS (INSERT INTO outbox (event) VALUES ${rows} RETURNING seq),
              notified AS (SELECT pg_notify(${outboxChannel(schema)}, ''))
            SELECT seq FROM written, notified
          `.execute(transaction);
    // The rows take their seq in the order of VALUES, which is the order of `stamped`.
    const seqs = written.rows.map((row) => Number(row.seq)).sort((a, b) => a - b);
    return seqs.map((seq, index) => ({ seq, event: stamped[index] as EventEnvelope }));
  });
}
