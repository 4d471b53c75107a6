import { causedBy, type ReturnReceived } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import type { PaymentProvider } from "../domain/payment-provider.ts";
import { refundPayment } from "../store/refunds.ts";
import type { PaymentsTables } from "../store/tables.ts";

/**
 * Returned units arrived: their price goes back to the customer, once per return, and never more
 * than what is left of the capture (an amount beyond it is cut, and said so in the log).
 */
export async function onReturnReceived(
  event: EventOf<typeof ReturnReceived>,
  { transaction, logger, publish }: HandlerContext<PaymentsTables>,
  provider: PaymentProvider,
): Promise<void> {
  const { orderId, returnId, refund } = event.detail;
  const outcome = await refundPayment(
    transaction,
    provider,
    { orderId, returnId, amount: refund },
    causedBy(event),
  );
  const refunded = outcome.kind === "refunded" ? outcome.amount.amount : 0;
  const fields = { orderId, returnId, paymentId: outcome.payment.id, outcome: outcome.kind, refunded };
  if (outcome.kind !== "duplicate" && refunded < refund.amount) {
    logger.warn({ ...fields, asked: refund.amount }, "return refund cut to what is left of the capture");
  } else {
    logger.info(fields, "return refunded");
  }
  await publish(outcome.events);
}
