import type { EventEnvelope } from "@mercato/contracts";
import { type Kysely, sql } from "kysely";
import { withPublishSpans } from "../tracing/trace-context.ts";
import { outboxChannel } from "./tables.ts";

/**
 * Writes events to the service's outbox. Call it with the transaction that makes the state
 * change, so that the events exist if and only if the change commits. The NOTIFY is delivered at
 * commit and wakes the relay at once instead of at its next poll. With tracing on, each event is
 * written with the trace context of its PRODUCER span, which its consumers continue.
 */
export async function writeToOutbox(
  transaction: Kysely<unknown>,
  schema: string,
  events: EventEnvelope[],
): Promise<void> {
  if (events.length === 0) return;
  await withPublishSpans(events, async (stamped) => {
    const rows = sql.join(stamped.map((event) => sql`(${JSON.stringify(event)}::jsonb)`));
    await sql`
      WITH written AS (INSERT INTO outbox (event) VALUES ${rows} RETURNING 1)
      SELECT pg_notify(${outboxChannel(schema)}, '')
    `.execute(transaction);
  });
}
