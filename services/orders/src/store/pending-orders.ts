import type { Kysely } from "kysely";
import type { OrdersTables } from "./tables.ts";

/** How long the oldest order still pending has waited at `now`, in seconds; 0 when none is. */
export async function oldestPendingAgeSeconds(db: Kysely<OrdersTables>, now: Date): Promise<number> {
  const row = await db
    .selectFrom("orders")
    .select((eb) => eb.fn.min("created_at").as("oldest"))
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (!row?.oldest) return 0;
  return Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000);
}
