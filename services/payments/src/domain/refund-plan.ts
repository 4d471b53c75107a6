import type { Money } from "@mercato/contracts";
import type { Payment } from "./payment.ts";

/** The id of the refund a cancellation makes; a return's refund has the return's id. */
export const cancellationRefundId = "cancellation";

/** What is asked back: an amount (a return's units), or everything the captures still hold (a cancellation). */
export type RefundAmount = Money | "remaining";

export interface RefundPlan {
  /** What goes back to the customer now. */
  amount: Money;
  /** The payment's refunded total once this refund is made. */
  refundedAfter: Money;
  status: "partially_refunded" | "refunded";
}

/**
 * Plans a refund of a captured payment: what was asked, but never more than what is left of the
 * capture. Undefined when there is nothing to give back (all refunded already, or nothing asked).
 */
export function planRefund(payment: Payment, requested: RefundAmount): RefundPlan | undefined {
  const { currency } = payment.amount;
  if (requested !== "remaining" && requested.currency !== currency) {
    throw new Error(
      `A refund in ${requested.currency} cannot come out of the payment of order ${payment.orderId}, which is in ${currency}`,
    );
  }
  const remaining = payment.amount.amount - payment.refunded.amount;
  const amount = requested === "remaining" ? remaining : Math.min(requested.amount, remaining);
  if (amount <= 0) return undefined;
  const refundedAfter = payment.refunded.amount + amount;
  return {
    amount: { amount, currency },
    refundedAfter: { amount: refundedAfter, currency },
    status: refundedAfter === payment.amount.amount ? "refunded" : "partially_refunded",
  };
}
