import {
  causedBy,
  type EventEnvelope,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentRefunded,
  StockReservationFailed,
  StockReserved,
} from "@mercato/contracts";
import type { HandlerContext, SubscriptionDefinition } from "@mercato/platform";
import {
  paymentAuthorized,
  paymentDeclined,
  paymentRefunded,
  stockReservationFailed,
  stockReserved,
} from "../domain/decisions.ts";
import type { Order, OrderEvent } from "../domain/order.ts";
import { changeOrderAndPublish } from "../store/order-stream.ts";
import type { OrdersTables } from "../store/tables.ts";

/**
 * The answers of inventory and payments, each moving its order one step: the saga's progress
 * lives in the order's stream, so any instance can take the next answer.
 */
export function sagaAnswers(settings: { paymentTimeoutMs: number }): SubscriptionDefinition<OrdersTables> {
  return {
    name: "saga-answers",
    events: [StockReserved, StockReservationFailed, PaymentAuthorized, PaymentDeclined, PaymentRefunded],
    queue: { visibilityTimeoutMs: 10_000, maxReceiveCount: 10, backoff: { baseMs: 50, maxMs: 5_000 } },
    async handle(event: EventEnvelope, { transaction, logger, publish }: HandlerContext<OrdersTables>) {
      const orderId = (event.detail as { orderId: string }).orderId;
      // One instant for the decision and the events' time, so a deadline is exactly its timeout after.
      const now = new Date();
      const decide = decisionFor(event, settings.paymentTimeoutMs, now);
      if (!decide) return;
      const change = await changeOrderAndPublish(transaction, orderId, decide, publish, causedBy(event), now);
      if (!change) {
        logger.warn({ orderId, detailType: event["detail-type"] }, "answer for an order that does not exist");
      }
    },
  };
}

function decisionFor(
  event: EventEnvelope,
  paymentTimeoutMs: number,
  now: Date,
): ((order: Order) => OrderEvent[]) | undefined {
  if (StockReserved.is(event)) {
    return (order) => stockReserved(order, event.detail.expiresAt, now, paymentTimeoutMs);
  }
  if (StockReservationFailed.is(event))
    return (order) => stockReservationFailed(order, event.detail.shortSkus, event.detail.shortages);
  if (PaymentAuthorized.is(event)) return (order) => paymentAuthorized(order, event.detail.paymentId);
  if (PaymentDeclined.is(event)) return (order) => paymentDeclined(order, event.detail.reason);
  if (PaymentRefunded.is(event)) {
    return (order) => paymentRefunded(order, event.detail.amount, event.detail.returnId);
  }
  return undefined;
}
