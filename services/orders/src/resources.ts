import type { ServiceContext } from "@mercato/platform";
import { type CartClient, createCartClient } from "./clients/cart-client.ts";
import type { OrdersSettings } from "./settings.ts";
import { oldestPendingAgeSeconds } from "./store/pending-orders.ts";
import type { OrdersTables } from "./store/tables.ts";

/**
 * What orders' routes share in one run: the client of cart's checkout snapshot. Also registers
 * orders' metrics: cart calls, and the age of the oldest pending order.
 */
export interface OrdersResources {
  cart: CartClient;
}

export function ordersResources(
  context: ServiceContext<OrdersTables, OrdersSettings, undefined>,
): OrdersResources {
  const calls = context.metrics.counter({
    name: "orders_cart_calls_total",
    help: "Synchronous calls from orders to cart for checkout snapshots, by outcome",
    labelNames: ["outcome"],
  });
  context.metrics.gauge({
    name: "orders_pending_oldest_age_seconds",
    help: "Seconds the oldest order still pending has waited (0 when none), for the OrdersStuckPending alert",
    async collect() {
      this.set(await oldestPendingAgeSeconds(context.db, new Date()));
    },
  });
  return {
    cart: createCartClient({
      baseUrl: () => context.settings.cartUrl ?? context.hostUrl(),
      onCall: (outcome) => calls.inc({ outcome }),
    }),
  };
}

/** The context orders' routes, handlers and tasks run with. */
export type OrdersContext = ServiceContext<OrdersTables, OrdersSettings, OrdersResources>;
