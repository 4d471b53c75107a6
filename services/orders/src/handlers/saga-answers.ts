import { causedBy, type EventEnvelope } from "@mercato/contracts";
import type { HandlerContext, SubscriptionDefinition } from "@mercato/platform";
import { checkoutSagaAnswers, sagaAnswerFor } from "../domain/checkout-saga.ts";
import type { Order } from "../domain/order.ts";
import { changeOrderAndPublish } from "../store/order-stream.ts";
import type { OrdersTables } from "../store/tables.ts";

/**
 * The answers of inventory and payments, each moving its order one step: the event types and the
 * decision each runs come from the saga's table (domain/checkout-saga.ts). The saga's progress
 * lives in the order's stream, so any instance can take the next answer.
 */
export function sagaAnswers(settings: { paymentTimeoutMs: number }): SubscriptionDefinition<OrdersTables> {
  return {
    name: "saga-answers",
    events: checkoutSagaAnswers.map((answer) => answer.event),
    queue: { visibilityTimeoutMs: 10_000, maxReceiveCount: 10, backoff: { baseMs: 50, maxMs: 5_000 } },
    async handle(event: EventEnvelope, { transaction, logger, publish }: HandlerContext<OrdersTables>) {
      const answer = sagaAnswerFor(event);
      if (!answer)
        throw new Error(`${event.source}/${event["detail-type"]} is not an answer of the checkout saga`);
      const orderId = (event.detail as { orderId: string }).orderId;
      // One instant for the decision and the events' time, so a deadline is exactly its timeout after.
      const now = new Date();
      const clock = { now, paymentTimeoutMs: settings.paymentTimeoutMs };
      const decide = (order: Order) => answer.decide(order, event.detail, clock);
      const change = await changeOrderAndPublish(transaction, orderId, decide, publish, causedBy(event), now);
      if (!change) {
        logger.warn({ orderId, detailType: event["detail-type"] }, "answer for an order that does not exist");
      }
    },
  };
}
