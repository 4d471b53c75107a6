import { defineService } from "@mercato/platform";
import { registerLedgerRoute } from "./api/ledger-route.ts";
import { registerStockRoutes } from "./api/stock-routes.ts";
import { marketplaceStockSubscription } from "./handlers/marketplace-stock-subscription.ts";
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
export { placeMarketplaceOrder } from "./store/marketplace-orders.ts";
export { expireReservations } from "./store/reservation-expiry.ts";
export { cancel, commit, release } from "./store/reservation-outcomes.ts";
export { findReservation, type Reservation, type ReserveResult } from "./store/reservation-rows.ts";
export { leaveTombstone, reserve } from "./store/reservations.ts";
export { receiveReturn } from "./store/returns.ts";
export { findStock, setOnHand } from "./store/stock-levels.ts";
export type { InventoryTables } from "./store/tables.ts";
export { reservationExpiry } from "./tasks/reservation-expiry.ts";

export const inventoryService = defineService<InventoryTables>({
  name: "inventory",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    registerStockRoutes(app, context);
    registerLedgerRoute(app, context);
  },
  subscriptions: [orderStockSubscription, marketplaceStockSubscription],
  tasks: [reservationExpiry],
});
