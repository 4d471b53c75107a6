import type { ServiceContext } from "@mercato/platform";
import { expiryStep } from "../domain/reservation-steps.ts";
import { giveBack } from "./reservation-outcomes.ts";
import { lockReservation, toReservation } from "./reservation-rows.ts";
import type { InventoryTables } from "./tables.ts";

const expiryBatch = 100;

/**
 * Releases every active reservation whose time is up at `now`, one transaction each (so each
 * locks its skus in sku order, like a reservation does). Events carry the correlation id of the
 * request that reserved. Returns how many expired.
 */
export async function expireReservations(
  context: Pick<ServiceContext<InventoryTables>, "db" | "inTransaction">,
  now: Date,
): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await context.db
      .selectFrom("reservations")
      .select("id")
      .where("status", "=", "active")
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(expiryBatch)
      .execute();
    for (const { id } of due) {
      const done = await context.inTransaction(async (writer) => {
        const row = await lockReservation(writer, id);
        if (!row || expiryStep(toReservation(row), now) === "unchanged") return false;
        await giveBack(writer, row, "expired", { correlationId: row.correlation_id });
        return true;
      });
      if (done) expired += 1;
    }
    if (due.length < expiryBatch) return expired;
  }
}
