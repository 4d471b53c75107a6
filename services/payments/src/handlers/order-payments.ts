import { OrderCancelled, OrderConfirmed, OrderRejected, ReturnReceived } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import type { PaymentsSettings } from "../settings.ts";
import type { PaymentsTables } from "../store/tables.ts";
import { onOrderConfirmed } from "./order-confirmed.ts";
import { onOrderEnded } from "./order-ended.ts";
import { onReturnReceived } from "./return-received.ts";

/**
 * Payments' part of the saga after the authorization: capture, void, refunds (queue
 * `payments-order-payments`). FIFO per order, so one order's events are handled in the order they
 * were published: a cancellation never overtakes the capture it undoes. Provider errors and
 * contradictory events (a capture of a declined payment) throw: the queue retries, then
 * dead-letters them for an operator.
 */
export const orderPayments: SubscriptionDefinition<PaymentsTables, PaymentsSettings> = {
  name: "order-payments",
  queue: {
    fifo: { groupBy: "detail.orderId" },
    visibilityTimeoutMs: 10_000,
    maxReceiveCount: 5,
    backoff: { baseMs: 100, maxMs: 5_000 },
  },
  handlers: [
    on(OrderConfirmed, (event, context) => onOrderConfirmed(event, context, context.settings.provider)),
    on(OrderRejected, (event, context) =>
      onOrderEnded(event, "rejected", context, context.settings.provider),
    ),
    on(OrderCancelled, (event, context) =>
      onOrderEnded(event, "cancelled", context, context.settings.provider),
    ),
    on(ReturnReceived, (event, context) => onReturnReceived(event, context, context.settings.provider)),
  ],
};
