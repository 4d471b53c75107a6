import type { Money, PaymentDeclined } from "@mercato/contracts";
import type { z } from "zod";

/**
 * `partially_refunded`: returns gave back part of the captured amount; `refunded`: all of it.
 * `cancelled` is a tombstone: the order ended before its payment was requested, so a request that
 * still comes asks the provider nothing.
 */
export type PaymentStatus =
  | "authorizing"
  | "authorized"
  | "declined"
  | "captured"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "cancelled";

export type PaymentDeclineReason = z.infer<typeof PaymentDeclined.schema>["reason"];

export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: Money;
  /** What refunds gave back so far, in the payment's currency; never more than `amount`. */
  refunded: Money;
  providerReference: string | null;
  declineReason: string | null;
  authorizationAttempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export type PaymentOperationName = "capture" | "refund" | "void";

const pastParticiples: Record<PaymentOperationName, string> = {
  capture: "captured",
  refund: "refunded",
  void: "voided",
};

/** An operation asked of a payment in a status that does not allow it (capture of a declined one). */
export class PaymentStateError extends Error {
  override name = "PaymentStateError";
  constructor(
    readonly orderId: string,
    readonly status: PaymentStatus | undefined,
    operation: PaymentOperationName,
  ) {
    super(
      status === undefined
        ? `Order ${orderId} has no payment to ${operation}`
        : `The payment of order ${orderId} is ${status} and cannot be ${pastParticiples[operation]}`,
    );
  }
}
