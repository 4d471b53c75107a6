import {
  type EventEnvelope,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  ReturnReceived,
} from "@mercato/contracts";
import type { HandlerContext, SubscriptionDefinition } from "@mercato/platform";
import type { PaymentProvider } from "../domain/payment-provider.ts";
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
export function orderPayments(dependencies: {
  provider: PaymentProvider;
}): SubscriptionDefinition<PaymentsTables> {
  const { provider } = dependencies;
  return {
    name: "order-payments",
    events: [OrderConfirmed, OrderRejected, OrderCancelled, ReturnReceived],
    queue: {
      fifo: { groupBy: "detail.orderId" },
      visibilityTimeoutMs: 10_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 5_000 },
    },
    async handle(event: EventEnvelope, context: HandlerContext<PaymentsTables>) {
      if (OrderConfirmed.is(event)) return onOrderConfirmed(event, context, provider);
      if (OrderRejected.is(event)) return onOrderEnded(event, "rejected", context, provider);
      if (OrderCancelled.is(event)) return onOrderEnded(event, "cancelled", context, provider);
      if (ReturnReceived.is(event)) return onReturnReceived(event, context, provider);
    },
  };
}
