import { causedBy, type OrderConfirmed } from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import type { PaymentProvider } from "../domain/payment-provider.ts";
import { capturePayment } from "../store/payments.ts";
import type { PaymentsTables } from "../store/tables.ts";

/** The order is confirmed: the authorized amount is captured, and PaymentCaptured says the money moved. */
export async function onOrderConfirmed(
  event: EventOf<typeof OrderConfirmed>,
  { transaction, logger, publish }: HandlerContext<PaymentsTables>,
  provider: PaymentProvider,
): Promise<void> {
  const { orderId } = event.detail;
  const { payment, events } = await capturePayment(transaction, provider, orderId, causedBy(event));
  logger.info({ orderId, paymentId: payment.id, status: payment.status }, "payment captured");
  await publish(events);
}
