import { defineService } from "@mercato/platform";
import { registerStockRoutes } from "./api/stock-routes.ts";
import { orderStockSubscription } from "./handlers/order-stock-subscription.ts";
import { type ReservationSweeper, startReservationSweeper } from "./reservation-sweeper.ts";
import type { InventoryTables } from "./store/tables.ts";

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
export { type ReservationSweeper, startReservationSweeper, sweepIntervalMs } from "./reservation-sweeper.ts";
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
export { type InventoryContext, inStockTransaction, type StockWriter } from "./store/stock-writer.ts";
export type { InventoryTables } from "./store/tables.ts";

/** The expiry sweep of each running instance (a process may run several, as tests do). */
const sweepers = new WeakMap<object, ReservationSweeper>();

export const inventoryService = defineService<InventoryTables>({
  name: "inventory",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    registerStockRoutes(app, context);
  },
  subscriptions: [orderStockSubscription],
  async onStart(context) {
    sweepers.set(context.database, startReservationSweeper(context));
  },
  async onStop(context) {
    await sweepers.get(context.database)?.stop();
    sweepers.delete(context.database);
  },
});
