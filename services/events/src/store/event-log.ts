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
      time: new Date(event.time),
      event: JSON.stringify(event),
    })
    .onConflict((conflict) => conflict.column("id").doNothing())
    .execute();
}

export interface EventQuery {
  source?: string | undefined;
  detailType?: string | undefined;
  limit: number;
}

/** The most recent events first, optionally of one source and detail-type. */
export async function recentEvents(db: Kysely<EventLogTables>, query: EventQuery): Promise<EventEnvelope[]> {
  let select = db.selectFrom("event_log").select("event").orderBy("seq", "desc").limit(query.limit);
  if (query.source) select = select.where("source", "=", query.source);
  if (query.detailType) select = select.where("detail_type", "=", query.detailType);
  const rows = await select.execute();
  return rows.map((row) => row.event as EventEnvelope);
}

/** Forgets events received before `before`. */
export async function pruneEvents(db: Kysely<EventLogTables>, before: Date): Promise<number> {
  const result = await db.deleteFrom("event_log").where("received_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
