import type { PaymentRefunded } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { refundIssued } from "../domain/order-notices.ts";
import { recordNotifications } from "../store/notifications.ts";
import { customerOfOrder } from "../store/replicas.ts";
import type { NotificationsTables } from "../store/tables.ts";

/**
 * Tells the customer about money going back. The refund names only the order; its customer comes
 * from the orders events seen before. An order not seen yet fails the handler, so the queue tries
 * again (the order's events overtaken by its refund) and, failing that, dead-letters it for an
 * operator rather than dropping the customer's notification.
 */
export async function onPaymentRefunded(
  event: EventOf<typeof PaymentRefunded>,
  context: HandlerContext<NotificationsTables>,
): Promise<void> {
  const { orderId, amount, returnId } = event.detail;
  const userId = await customerOfOrder(context.transaction, orderId);
  if (!userId) throw new Error(`No customer known for order ${orderId}: its orders events have not arrived`);
  await recordNotifications(context, [{ userId, draft: refundIssued({ orderId, amount, returnId }) }], event);
}
