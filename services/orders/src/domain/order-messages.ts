import {
  type EventContext,
  type EventEnvelope,
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderPlaced,
  OrderRejected,
  OrderShipped,
  PaymentRequested,
  ReturnReceived,
  ReturnRequested,
} from "@mercato/contracts";
import type { Order, OrderEvent } from "./order.ts";

/**
 * What the other services hear of an order's new events. Answers the order only records
 * (StockReserved, PaymentAuthorized...) are not published again. A payment request carries the
 * customer's sealed token, which the order itself never holds.
 */
export function messagesFor(
  after: Order,
  events: readonly OrderEvent[],
  context: EventContext,
  sealedToken?: string,
): EventEnvelope[] {
  const withResource = { ...context, resources: [after.id] };
  const ids = { orderId: after.id, userId: after.userId };
  const messages: EventEnvelope[] = [];
  for (const event of events) {
    switch (event.type) {
      case "OrderPlaced":
        messages.push(
          OrderPlaced.create(
            { ...ids, items: after.items, total: after.total, shippingAddress: after.shippingAddress },
            withResource,
          ),
        );
        break;
      case "PaymentRequested": {
        if (!sealedToken) throw new Error(`Order ${after.id} asks for payment without a payment token`);
        messages.push(
          PaymentRequested.create(
            { orderId: after.id, amount: event.detail.amount, sealedToken },
            withResource,
          ),
        );
        break;
      }
      case "OrderConfirmed":
        messages.push(
          OrderConfirmed.create({ ...ids, items: after.items, total: after.total }, withResource),
        );
        break;
      case "OrderRejected":
        messages.push(OrderRejected.create({ ...ids, reason: event.detail.reason }, withResource));
        break;
      case "OrderCancelled":
        messages.push(OrderCancelled.create({ ...ids, ...event.detail }, withResource));
        break;
      case "OrderShipped":
        messages.push(OrderShipped.create({ ...ids, ...event.detail }, withResource));
        break;
      case "OrderDelivered":
        messages.push(OrderDelivered.create(ids, withResource));
        break;
      case "ReturnRequested": {
        const { returnId, items, reason } = event.detail;
        messages.push(
          ReturnRequested.create({ ...ids, returnId, items: unitLines(items), reason }, withResource),
        );
        break;
      }
      case "ReturnReceived": {
        const entry = after.returns.find((candidate) => candidate.id === event.detail.returnId);
        if (!entry) throw new Error(`Order ${after.id} received unknown return ${event.detail.returnId}`);
        messages.push(
          ReturnReceived.create(
            { ...ids, returnId: entry.id, items: unitLines(entry.items), refund: entry.refund },
            withResource,
          ),
        );
        break;
      }
      default:
        break;
    }
  }
  return messages;
}

function unitLines(items: readonly { productId: string; sku: string; quantity: number }[]) {
  return items.map(({ productId, sku, quantity }) => ({ productId, sku, quantity }));
}
