import { defineService } from "@mercato/platform";
import { registerCheckoutRoute } from "./api/checkout-route.ts";
import { registerOrderRoutes } from "./api/order-routes.ts";
import { registerReturnRoutes } from "./api/return-routes.ts";
import { sagaAnswers } from "./handlers/saga-answers.ts";
import { type OrdersResources, ordersResources } from "./resources.ts";
import { type OrdersSettings, ordersSettingsSchema } from "./settings.ts";
import type { OrdersTables } from "./store/tables.ts";
import { idempotencyKeyExpiry } from "./tasks/idempotency-key-expiry.ts";
import { paymentTimeouts } from "./tasks/payment-timeouts.ts";

export type { Order, OrderEvent, OrderStatus, RejectionReason } from "./domain/order.ts";
export type { OrdersSettings } from "./settings.ts";
export { forgetKeysAnsweredBefore } from "./store/idempotency-keys.ts";
export { readStream } from "./store/order-stream.ts";
export type { OrdersTables } from "./store/tables.ts";

/**
 * Orders: each order an event-sourced aggregate, and the checkout saga that moves it. Settings
 * (cart's address, the payment timeout) come from the host; the payment token is sealed with the
 * host's sealed box.
 */
export const ordersService = defineService<OrdersTables, OrdersSettings, OrdersResources>({
  name: "orders",
  migrations: new URL("../migrations/", import.meta.url),
  settings: ordersSettingsSchema,
  secrets: ["sealedBox"],
  resources: ordersResources,
  subscriptions: [sagaAnswers],
  routes(app, context) {
    registerCheckoutRoute(app, context);
    registerOrderRoutes(app, context);
    registerReturnRoutes(app, context);
  },
  tasks: [paymentTimeouts, idempotencyKeyExpiry],
  async onStop({ resources }) {
    resources.cart.close();
  },
});
