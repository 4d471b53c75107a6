import { defineService } from "@mercato/platform";
import { registerStockRoutes } from "./api/stock-routes.ts";
import { startReservationSweeper } from "./reservation-sweeper.ts";
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
export { type ReservationSweeper, startReservationSweeper, sweepIntervalMs } from "./reservation-sweeper.ts";
export {
  commit,
  expireReservations,
  findReservation,
  type Reservation,
  type ReserveResult,
  release,
  reserve,
} from "./store/reservations.ts";
export { findStock, setOnHand } from "./store/stock-levels.ts";
export { type InventoryContext, inStockTransaction, type StockWriter } from "./store/stock-writer.ts";
export type { InventoryTables } from "./store/tables.ts";

export const inventoryService = defineService<InventoryTables>({
  name: "inventory",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    registerStockRoutes(app, context);
  },
  async onStart(context) {
    const sweeper = startReservationSweeper(context);
    // The service definition has no stop hook, so the sweep stops when the host closes the
    // service's database, and waits for a sweep under way before the database goes.
    const { database } = context;
    const close = database.close.bind(database);
    database.close = async () => {
      await sweeper.stop();
      await close();
    };
  },
});
