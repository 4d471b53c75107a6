import type { EventEnvelope } from "@mercato/contracts";
import type { Kysely } from "kysely";
import type { EventLogTables } from "./tables.ts";

/** Keeps the event; a redelivered one is already there and changes nothing. */
export async function recordEvent(db: Kysely<EventLogTables>, event: EventEnvelope): Promise<void> {
  await db
    .insertInto("event_log")
    .values({
      id: event.id,
      source: event.source,
      detail_type: event["detail-type"],
      correlation_id: event.metadata["correlation-id"],
      time: new Date(event.time),
      event: JSON.stringify(event),
    })
    .onConflict((conflict) => conflict.column("id").doNothing())
    .execute();
}

export interface EventQuery {
  source?: string | undefined;
  detailType?: string | undefined;
  correlationId?: string | undefined;
  limit: number;
  /** Only events logged before this position (the last one of the previous page). */
  before?: number | undefined;
}

export interface EventPage {
  events: EventEnvelope[];
  /** Where the next page starts, when there is one. */
  next: number | undefined;
}

/**
 * The most recent events first, optionally of one source, detail-type and correlation id; asks one
 * row more than the page to know whether another follows.
 */
export async function recentEvents(db: Kysely<EventLogTables>, query: EventQuery): Promise<EventPage> {
  let select = db
    .selectFrom("event_log")
    .select(["event", "seq"])
    .orderBy("seq", "desc")
    .limit(query.limit + 1);
  if (query.source) select = select.where("source", "=", query.source);
  if (query.detailType) select = select.where("detail_type", "=", query.detailType);
  if (query.correlationId) select = select.where("correlation_id", "=", query.correlationId);
  if (query.before !== undefined) select = select.where("seq", "<", query.before);
  const rows = await select.execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => row.event as EventEnvelope),
    // bigserial: PostgreSQL hands it over as text.
    next: rows.length > query.limit && last ? Number(last.seq) : undefined,
  };
}

/** Forgets events received before `before`. */
export async function pruneEvents(db: Kysely<EventLogTables>, before: Date): Promise<number> {
  const result = await db.deleteFrom("event_log").where("received_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
