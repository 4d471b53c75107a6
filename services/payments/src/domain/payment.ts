import type { Money, PaymentDeclined } from "@mercato/contracts";
import type { z } from "zod";

export type PaymentStatus = "authorizing" | "authorized" | "declined" | "captured" | "refunded" | "voided";

export type PaymentDeclineReason = z.infer<typeof PaymentDeclined.schema>["reason"];

export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: Money;
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
