import { type Logger, type PeriodicTask, startPeriodicTask } from "@mercato/platform";
import { expireReservations } from "./store/reservations.ts";
import type { InventoryContext } from "./store/stock-writer.ts";

export const sweepIntervalMs = 5_000;

export type ReservationSweeper = PeriodicTask;

/** Expires reservations every `intervalMs`. One sweep at a time; a failed sweep is logged and retried next tick. */
export function startReservationSweeper(
  context: InventoryContext & { logger: Logger },
  intervalMs = sweepIntervalMs,
): ReservationSweeper {
  return startPeriodicTask(
    { name: "reservation expiry sweep", intervalMs, logger: context.logger },
    async () => {
      const expired = await expireReservations(context, new Date());
      if (expired > 0) context.logger.info({ expired }, "released expired reservations");
    },
  );
}
