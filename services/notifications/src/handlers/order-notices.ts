import type {
  EventEnvelope,
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderPlaced,
  OrderRejected,
  OrderShipped,
} from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import type { NotificationDraft } from "../domain/notification.ts";
import {
  orderCancelled,
  orderConfirmed,
  orderDelivered,
  orderRejected,
  orderShipped,
} from "../domain/order-notices.ts";
import { recordNotifications } from "../store/notifications.ts";
import { rememberOrderCustomer } from "../store/replicas.ts";
import type { NotificationsTables } from "../store/tables.ts";

type Context = HandlerContext<NotificationsTables>;

/** Remembers whose order it is: PaymentRefunded, later, names only the order. */
export async function onOrderPlaced(event: EventOf<typeof OrderPlaced>, context: Context): Promise<void> {
  await rememberOrderCustomer(context.transaction, event.detail.orderId, event.detail.userId);
}

export async function onOrderConfirmed(event: EventOf<typeof OrderConfirmed>, context: Context) {
  const { orderId, items, total } = event.detail;
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  await notifyCustomer(context, event, orderConfirmed({ orderId, total, units }));
}

export async function onOrderRejected(event: EventOf<typeof OrderRejected>, context: Context) {
  await notifyCustomer(context, event, orderRejected(event.detail));
}

export async function onOrderCancelled(event: EventOf<typeof OrderCancelled>, context: Context) {
  await notifyCustomer(context, event, orderCancelled(event.detail));
}

export async function onOrderShipped(event: EventOf<typeof OrderShipped>, context: Context) {
  await notifyCustomer(context, event, orderShipped(event.detail));
}

export async function onOrderDelivered(event: EventOf<typeof OrderDelivered>, context: Context) {
  await notifyCustomer(context, event, orderDelivered(event.detail));
}

/**
 * Tells the order's customer what happened to it. Every order event names the customer, so the
 * order's owner is remembered here too, in case OrderPlaced is late or was never seen.
 */
async function notifyCustomer(
  context: Context,
  event: EventEnvelope<{ orderId: string; userId: string }>,
  draft: NotificationDraft,
): Promise<void> {
  const { orderId, userId } = event.detail;
  await rememberOrderCustomer(context.transaction, orderId, userId);
  await recordNotifications(context, [{ userId, draft }], event);
}
