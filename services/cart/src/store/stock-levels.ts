import { newerEvent, takeIncoming } from "@mercato/platform";
import type { Kysely } from "kysely";
import type { ReplicaVersion } from "../domain/replica-change.ts";
import type { CartTables } from "./tables.ts";

/**
 * Records what inventory says a sku has available, in one statement: the level is taken only when
 * its event is newer than the one that set the stored level, so replays and late events change
 * nothing and concurrent handlers need no lock.
 */
export async function applyStockLevel(
  db: Kysely<CartTables>,
  level: { sku: string; available: number; version: ReplicaVersion },
): Promise<void> {
  await db
    .insertInto("stock_levels")
    .values({
      sku: level.sku,
      available: level.available,
      event_time: level.version.time,
      event_id: level.version.eventId,
    })
    .onConflict((conflict) =>
      conflict
        .column("sku")
        .doUpdateSet(takeIncoming(["available", "event_time", "event_id"]))
        .where(newerEvent("stock_levels")),
    )
    .execute();
}
