import { defineService, type SealedBox, type ServiceDefinition } from "@mercato/platform";
import { registerCheckoutRoute } from "./api/checkout-route.ts";
import { registerOrderRoutes } from "./api/order-routes.ts";
import { registerReturnRoutes } from "./api/return-routes.ts";
import { type CartClient, createCartClient } from "./clients/cart-client.ts";
import { sagaAnswers } from "./handlers/saga-answers.ts";
import { paymentTimeouts } from "./payment-timeouts.ts";
import { type OrdersSettings, ordersSettings, ordersSettingsSchema } from "./settings.ts";
import type { OrdersTables } from "./store/tables.ts";
import { idempotencyKeyExpiry } from "./tasks/idempotency-key-expiry.ts";

export type { Order, OrderEvent, OrderStatus, RejectionReason } from "./domain/order.ts";
export type { OrdersSettings } from "./settings.ts";
export { forgetKeysAnsweredBefore } from "./store/idempotency-keys.ts";
export { readStream } from "./store/order-stream.ts";
export type { OrdersTables } from "./store/tables.ts";

/** What orders' routes share in one run: the client of cart's checkout snapshot. */
interface OrdersResources {
  cart: CartClient;
}

/**
 * Orders: each order an event-sourced aggregate, and the checkout saga that moves it. Settings
 * come from the environment (the host parses them) unless given; the payment token is sealed with
 * the host's sealed box. A function only because the saga's subscription takes the payment
 * timeout when it is built; the overrides are the host's settings and secret, given in tests.
 */
export function createOrdersService(
  options: Partial<OrdersSettings> & { sealedBox?: SealedBox } = {},
): ServiceDefinition<OrdersTables, OrdersSettings, OrdersResources> {
  const { sealedBox, ...overrides } = options;
  const settings: OrdersSettings = { ...ordersSettings(), ...overrides };
  return defineService<OrdersTables, OrdersSettings, OrdersResources>({
    name: "orders",
    migrations: new URL("../migrations/", import.meta.url),
    settings: ordersSettingsSchema,
    secrets: ["sealedBox"],
    overrides: { settings: overrides, secrets: sealedBox ? { sealedBox } : {} },
    resources(context) {
      const calls = context.metrics.counter({
        name: "orders_cart_calls_total",
        help: "Synchronous calls from orders to cart for checkout snapshots, by outcome",
        labelNames: ["outcome"],
      });
      return {
        cart: createCartClient({
          baseUrl: () => context.settings.cartUrl ?? context.hostUrl(),
          onCall: (outcome) => calls.inc({ outcome }),
        }),
      };
    },
    subscriptions: [sagaAnswers(settings)],
    routes(app, context) {
      const { resources, secrets } = context;
      registerCheckoutRoute(app, context, { cart: resources.cart, sealedBox: async () => secrets.sealedBox });
      registerOrderRoutes(app, context);
      registerReturnRoutes(app, context);
    },
    tasks: [paymentTimeouts, idempotencyKeyExpiry],
    async onStop({ resources }) {
      resources.cart.close();
    },
  });
}
