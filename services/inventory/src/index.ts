import { defineService } from "@mercato/platform";
import { registerStockRoutes } from "./api/stock-routes.ts";
import { orderStockSubscription } from "./handlers/order-stock-subscription.ts";
import type { InventoryTables } from "./store/tables.ts";
import { reservationExpiry } from "./tasks/reservation-expiry.ts";

export {
  maxOnHand,
  OnHandBelowReservedError,
  type ReservationStatus,
  type StockLedgerKind,
  type StockLevels,
  type StockLine,
  skuPattern,
} from "./domain/stock.ts";
export { InvalidStockLinesError, normalizeLines } from "./domain/stock-lines.ts";
export { orderReservationTtlMs } from "./handlers/order-placed.ts";
export {
  cancel,
  commit,
  expireReservations,
  findReservation,
  leaveTombstone,
  type Reservation,
  type ReserveResult,
  release,
  reserve,
} from "./store/reservations.ts";
export { receiveReturn } from "./store/returns.ts";
export { findStock, setOnHand } from "./store/stock-levels.ts";
export type { InventoryTables } from "./store/tables.ts";
export { reservationExpiry } from "./tasks/reservation-expiry.ts";

export const inventoryService = defineService<InventoryTables>({
  name: "inventory",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    registerStockRoutes(app, context);
  },
  subscriptions: [orderStockSubscription],
  tasks: [reservationExpiry],
});
