import { causedBy } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import { checkoutSagaAnswers, type SagaAnswer } from "../domain/checkout-saga.ts";
import type { Order } from "../domain/order.ts";
import type { OrdersSettings } from "../settings.ts";
import { changeOrderAndPublish } from "../store/order-stream.ts";
import type { OrdersTables } from "../store/tables.ts";

/**
 * The answers of inventory and payments, each moving its order one step: one `on` entry per
 * answer of the saga's table (domain/checkout-saga.ts), running the decision the table gives it.
 * The saga's progress lives in the order's stream, so any instance can take the next answer.
 */
export const sagaAnswers: SubscriptionDefinition<OrdersTables, OrdersSettings> = {
  name: "saga-answers",
  queue: { visibilityTimeoutMs: 10_000, maxReceiveCount: 10, backoff: { baseMs: 50, maxMs: 5_000 } },
  handlers: checkoutSagaAnswers.map(handlerOf),
};

function handlerOf(answer: SagaAnswer) {
  return on<unknown, OrdersTables, OrdersSettings>(answer.event, async (event, context) => {
    const orderId = (event.detail as { orderId: string }).orderId;
    const { paymentTimeoutMs } = context.settings;
    // One instant for the decision and the events' time, so a deadline is exactly its timeout after.
    const now = new Date();
    const decide = (order: Order) => answer.decide(order, event.detail, { now, paymentTimeoutMs });
    // The handler's context is the unit of work of the event's inbox transaction.
    const change = await changeOrderAndPublish(context, orderId, decide, causedBy(event), now);
    if (!change) {
      context.logger.warn(
        { orderId, detailType: event["detail-type"] },
        "answer for an order that does not exist",
      );
    }
  });
}
