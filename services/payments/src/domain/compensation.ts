import { type Payment, PaymentStateError } from "./payment.ts";

/** How an order ended without being fulfilled. */
export type OrderEnding = "rejected" | "cancelled";

export type Compensation = "void" | "refund" | "nothing";

/**
 * What gives the customer's money back when an order ends. An authorization is voided. A rejected
 * order was never confirmed, so its payment was never captured; a cancelled one may have been, and
 * what is left of the capture is refunded. Declined, voided and tombstoned payments moved nothing.
 */
export function compensationFor(payment: Payment, ending: OrderEnding): Compensation {
  switch (payment.status) {
    case "authorized":
      return "void";
    case "declined":
    case "voided":
    case "cancelled":
      return "nothing";
    case "captured":
    case "partially_refunded":
    case "refunded":
      if (ending === "cancelled") return "refund";
      throw new PaymentStateError(payment.orderId, payment.status, "void");
    case "authorizing":
      throw new PaymentStateError(payment.orderId, payment.status, "void");
  }
}
