import { defineService } from "@mercato/platform";
import { registerCartRoutes } from "./api/cart-routes.ts";
import { orderConfirmedSubscription } from "./handlers/order-confirmed.ts";
import { productReplicaSubscription } from "./handlers/product-replica-subscription.ts";
import { stockLevelSubscription } from "./handlers/stock-level-subscription.ts";
import type { CartTables } from "./store/tables.ts";

export type { Cart, CartLine } from "./domain/cart.ts";

/** Carts, one per signed-in user, priced from a local replica of the catalog kept by its events. */
export const cartService = defineService<CartTables>({
  name: "cart",
  migrations: new URL("../migrations/", import.meta.url),
  routes: registerCartRoutes,
  subscriptions: [productReplicaSubscription, stockLevelSubscription, orderConfirmedSubscription],
});
