import { causedBy, type OrderCancelled, type OrderRejected } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { compensationFor, type OrderEnding } from "../domain/compensation.ts";
import type { PaymentProvider } from "../domain/payment-provider.ts";
import { lockPaymentOfEndedOrder, voidPayment } from "../store/payments.ts";
import { refundPayment } from "../store/refunds.ts";
import type { PaymentsTables } from "../store/tables.ts";

type OrderEndedEvent = EventOf<typeof OrderRejected> | EventOf<typeof OrderCancelled>;

/**
 * The order was rejected or cancelled: its authorization is voided, what was captured is refunded
 * in full (PaymentRefunded with no return). If payments never heard of its payment, a tombstone
 * makes sure a request still on its way (a payment timeout, a cancellation before payment) charges
 * nothing.
 */
export async function onOrderEnded(
  event: OrderEndedEvent,
  ending: OrderEnding,
  { transaction, logger, publish }: HandlerContext<PaymentsTables>,
  provider: PaymentProvider,
): Promise<void> {
  const { orderId } = event.detail;
  // Orders asks for payment only after stock is reserved: an order rejected for stock was never
  // going to be charged, so it needs no tombstone.
  if ("reason" in event.detail && event.detail.reason === "out_of_stock") return;
  const found = await lockPaymentOfEndedOrder(transaction, orderId);
  if (found.kind === "tombstone") {
    logger.info(
      { orderId, ending },
      "order ended before its payment was requested: any request will be ignored",
    );
    return;
  }
  const compensation = compensationFor(found.payment, ending);
  if (compensation === "void") {
    const voided = await voidPayment(transaction, provider, orderId);
    logger.info({ orderId, paymentId: voided.id, ending }, "payment authorization voided");
    return;
  }
  if (compensation === "refund") {
    const outcome = await refundPayment(
      transaction,
      provider,
      { orderId, returnId: null, amount: "remaining" },
      causedBy(event),
    );
    logger.info(
      { orderId, paymentId: outcome.payment.id, outcome: outcome.kind, status: outcome.payment.status },
      "payment of a cancelled order refunded",
    );
    await publish(outcome.events);
    return;
  }
  logger.info({ orderId, status: found.payment.status, ending }, "no money to give back for the ended order");
}
