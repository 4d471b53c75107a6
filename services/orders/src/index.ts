import {
  createSealedBox,
  defineService,
  loadSecretKey,
  type PeriodicTask,
  type SealedBox,
  type ServiceContext,
  type ServiceDefinition,
  startPeriodicTask,
} from "@mercato/platform";
import { registerCheckoutRoute } from "./api/checkout-route.ts";
import { registerOrderRoutes } from "./api/order-routes.ts";
import { registerReturnRoutes } from "./api/return-routes.ts";
import { type CartClient, createCartClient } from "./clients/cart-client.ts";
import { sagaAnswers } from "./handlers/saga-answers.ts";
import { startPaymentTimeouts } from "./payment-timeouts.ts";
import { type OrdersSettings, ordersSettings } from "./settings.ts";
import { forgetKeysAnsweredBefore } from "./store/idempotency-keys.ts";
import type { OrdersTables } from "./store/tables.ts";

export type { Order, OrderEvent, OrderStatus, RejectionReason } from "./domain/order.ts";
export type { OrdersSettings } from "./settings.ts";
export { forgetKeysAnsweredBefore } from "./store/idempotency-keys.ts";
export { readStream } from "./store/order-stream.ts";
export type { OrdersTables } from "./store/tables.ts";

interface Running {
  cart: CartClient;
  sweeps: PeriodicTask[];
}

/** How long an Idempotency-Key's first answer is kept for replays. */
const idempotencyKeyRetentionMs = 24 * 60 * 60 * 1000;

/**
 * Orders: each order an event-sourced aggregate, and the checkout saga that moves it. Settings
 * come from the environment unless given; the payment token is sealed with the platform's key.
 */
export function createOrdersService(
  options: Partial<OrdersSettings> & { sealedBox?: SealedBox } = {},
): ServiceDefinition<OrdersTables> {
  const settings: OrdersSettings = { ...ordersSettings(), ...options };
  let openSealedBox!: (box: SealedBox) => void;
  const sealedBox = new Promise<SealedBox>((resolve) => {
    openSealedBox = resolve;
  });
  if (options.sealedBox) openSealedBox(options.sealedBox);
  const instances = new WeakMap<object, Running>();

  const runningFor = (context: ServiceContext<OrdersTables>): Running => {
    let running = instances.get(context.database);
    if (!running) {
      const calls = context.metrics.counter({
        name: "orders_cart_calls_total",
        help: "Synchronous calls from orders to cart for checkout snapshots, by outcome",
        labelNames: ["outcome"],
      });
      running = {
        cart: createCartClient({
          baseUrl: () => settings.cartUrl ?? context.hostUrl(),
          onCall: (outcome) => calls.inc({ outcome }),
        }),
        sweeps: [],
      };
      instances.set(context.database, running);
    }
    return running;
  };

  return defineService<OrdersTables>({
    name: "orders",
    migrations: new URL("../migrations/", import.meta.url),
    subscriptions: [sagaAnswers(settings)],
    routes(app, context) {
      registerCheckoutRoute(app, context, { cart: runningFor(context).cart, sealedBox: () => sealedBox });
      registerOrderRoutes(app, context);
      registerReturnRoutes(app, context);
    },
    async onStart(context) {
      if (!options.sealedBox) {
        openSealedBox(createSealedBox(await loadSecretKey(context.config.secretKey, context.config.dataDir)));
      }
      runningFor(context).sweeps.push(
        startPaymentTimeouts(context, settings.paymentTimeoutMs),
        startPeriodicTask(
          { name: "idempotency key expiry", intervalMs: 10 * 60 * 1000, logger: context.logger },
          () =>
            forgetKeysAnsweredBefore(context.db, new Date(Date.now() - idempotencyKeyRetentionMs)).then(
              () => undefined,
            ),
        ),
      );
    },
    async onStop(context) {
      const running = instances.get(context.database);
      await Promise.all(running?.sweeps.map((sweep) => sweep.stop()) ?? []);
      running?.cart.close();
      instances.delete(context.database);
    },
  });
}
