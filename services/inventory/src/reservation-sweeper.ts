import type { Logger } from "@mercato/platform";
import { expireReservations } from "./store/reservations.ts";
import type { InventoryContext } from "./store/stock-writer.ts";

export const sweepIntervalMs = 5_000;

export interface ReservationSweeper {
  /** Stops the timer and waits for a sweep under way. */
  stop(): Promise<void>;
}

/** Expires reservations every `intervalMs`. One sweep at a time; a failed sweep is logged and retried next tick. */
export function startReservationSweeper(
  context: InventoryContext & { logger: Logger },
  intervalMs = sweepIntervalMs,
): ReservationSweeper {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    try {
      const expired = await expireReservations(context, new Date());
      if (expired > 0) context.logger.info({ expired }, "released expired reservations");
    } catch (error) {
      context.logger.error({ err: error }, "reservation expiry sweep failed");
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    running ??= sweep();
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
