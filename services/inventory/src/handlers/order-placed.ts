import { causedBy, type OrderPlaced } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { reserve } from "../store/reservations.ts";
import type { InventoryTables } from "../store/tables.ts";

/**
 * How long an order's stock stays reserved. Far beyond the saga's payment deadline: orders
 * rejects (and so releases) long before, and the expiry only frees stock of an order the saga lost.
 */
export const orderReservationTtlMs = 15 * 60_000;

/** Reserves every line of the order, all or nothing; reserve answers StockReserved or StockReservationFailed. */
export async function onOrderPlaced(
  event: EventOf<typeof OrderPlaced>,
  context: HandlerContext<InventoryTables>,
): Promise<void> {
  const { orderId, items } = event.detail;
  const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
  const result = await reserve(context, { orderId, lines, ttlMs: orderReservationTtlMs }, causedBy(event));
  if (result.replayed) {
    context.logger.info(
      { orderId, status: result.reservation.status },
      "order already has a reservation: nothing reserved",
    );
  }
}
