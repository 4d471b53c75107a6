import { type EventContext, type EventEnvelope, type Money, PaymentRefunded } from "@mercato/contracts";
import { type Payment, PaymentStateError, type PaymentStatus } from "../domain/payment.ts";
import type { PaymentProvider } from "../domain/payment-provider.ts";
import { cancellationRefundId, planRefund, type RefundAmount } from "../domain/refund-plan.ts";
import { askProvider, lockPayment, setStatus, type Writer } from "./payments.ts";

export interface RefundRequest {
  orderId: string;
  /** The return being refunded; null for the cancellation of the order. */
  returnId: string | null;
  amount: RefundAmount;
}

export type RefundOutcome =
  | { kind: "refunded"; payment: Payment; amount: Money; events: EventEnvelope[] }
  /** This return (or the cancellation) was refunded before: nothing changes, nothing to publish. */
  | { kind: "duplicate"; payment: Payment; events: [] }
  /** The captures hold nothing more to give back (or nothing was asked). */
  | { kind: "nothing-left"; payment: Payment; events: [] };

const refundableStatuses = new Set<PaymentStatus>(["captured", "partially_refunded", "refunded"]);

/**
 * Refunds part or all of a captured payment, once per return and once for a cancellation, never
 * more than is left of the capture: an amount beyond it is cut to what is left. The payment is
 * `refunded` once all of it went back, `partially_refunded` before. Returns the PaymentRefunded to
 * publish in `transaction`.
 */
export async function refundPayment(
  transaction: Writer,
  provider: PaymentProvider,
  request: RefundRequest,
  context: EventContext,
): Promise<RefundOutcome> {
  const { orderId, returnId } = request;
  // The lock serializes the refunds of one payment: each reads the refunded total the last one left.
  const payment = await lockPayment(transaction, orderId, "refund");
  const refundId = returnId ?? cancellationRefundId;
  if (await hasRefund(transaction, payment.id, refundId)) return { kind: "duplicate", payment, events: [] };
  if (!refundableStatuses.has(payment.status)) throw new PaymentStateError(orderId, payment.status, "refund");
  const plan = planRefund(payment, request.amount);
  if (!plan) return { kind: "nothing-left", payment, events: [] };
  await askProvider(payment, "refund", (operation) =>
    provider.refund({ ...operation, amount: plan.amount, refundId }),
  );
  await transaction
    .insertInto("refunds")
    .values({ payment_id: payment.id, id: refundId, order_id: orderId, amount: plan.amount.amount })
    .execute();
  const refunded = await setStatus(transaction, orderId, plan.status, {
    refunded_amount: plan.refundedAfter.amount,
  });
  return {
    kind: "refunded",
    payment: refunded,
    amount: plan.amount,
    events: [
      PaymentRefunded.create({ orderId, paymentId: payment.id, amount: plan.amount, returnId }, context),
    ],
  };
}

async function hasRefund(transaction: Writer, paymentId: string, refundId: string): Promise<boolean> {
  const row = await transaction
    .selectFrom("refunds")
    .select("id")
    .where("payment_id", "=", paymentId)
    .where("id", "=", refundId)
    .executeTakeFirst();
  return row !== undefined;
}
