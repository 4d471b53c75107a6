import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  ReturnReceived,
} from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { InventoryTables } from "../store/tables.ts";
import { onOrderCancelled } from "./order-cancelled.ts";
import { onOrderConfirmed } from "./order-confirmed.ts";
import { onOrderPlaced } from "./order-placed.ts";
import { onOrderRejected } from "./order-rejected.ts";
import { onReturnReceived } from "./return-received.ts";

/** Inventory's steps of the checkout saga and of what follows it (queue `inventory-order-stock`). */
export const orderStockSubscription: SubscriptionDefinition<InventoryTables> = {
  name: "order-stock",
  // Not FIFO: a commit or release cannot overtake its reservation (orders confirms or rejects
  // only after StockReserved or StockReservationFailed), and each handler acts on the
  // reservation's status, so a cancellation that overtakes a commit still leaves the books right.
  queue: { backoff: { baseMs: 100, maxMs: 5_000 } },
  handlers: [
    on(OrderPlaced, onOrderPlaced),
    on(OrderConfirmed, onOrderConfirmed),
    on(OrderRejected, onOrderRejected),
    on(OrderCancelled, onOrderCancelled),
    on(ReturnReceived, onReturnReceived),
  ],
};
