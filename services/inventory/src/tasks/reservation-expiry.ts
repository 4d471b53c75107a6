import type { TaskDefinition } from "@mercato/platform";
import { expireReservations } from "../store/reservation-expiry.ts";
import type { InventoryTables } from "../store/tables.ts";

/** Expires due reservations every five seconds; any instance may, each reservation under its lock. */
export const reservationExpiry: TaskDefinition<InventoryTables> = {
  name: "reservation expiry sweep",
  intervalMs: 5_000,
  async run(context) {
    const expired = await expireReservations(context, new Date());
    if (expired > 0) context.logger.info({ expired }, "released expired reservations");
  },
};
