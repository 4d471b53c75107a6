import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { moneySchema } from "../money.ts";

const source = "mercato.payments";

/** Why a payment was refused for good. Only event types are exported from this file (the catalog lists them). */
const paymentDeclineReasons = ["card_declined", "invalid_token", "provider_unavailable"] as const;
export type PaymentDeclineReason = (typeof paymentDeclineReasons)[number];

export const PaymentAuthorized = defineEvent({
  source,
  detailType: "PaymentAuthorized",
  description: "The provider authorized an order's amount; it is held until captured or voided.",
  detail: z.object({ orderId: z.string().min(1), paymentId: z.string().min(1), amount: moneySchema }),
});

export const PaymentDeclined = defineEvent({
  source,
  detailType: "PaymentDeclined",
  description:
    "The payment of an order was refused for good (a transient provider failure is retried, not declined).",
  detail: z.object({
    orderId: z.string().min(1),
    reason: z.enum(paymentDeclineReasons),
    retryable: z.literal(false),
  }),
});

export const PaymentCaptured = defineEvent({
  source,
  detailType: "PaymentCaptured",
  description: "An authorized payment was captured: the money moved.",
  detail: z.object({ orderId: z.string().min(1), paymentId: z.string().min(1), amount: moneySchema }),
});

export const PaymentRefunded = defineEvent({
  source,
  detailType: "PaymentRefunded",
  description:
    "Money went back to the customer: the whole payment when an order is cancelled (returnId null), the returned units' price when a return is received.",
  detail: z.object({
    orderId: z.string().min(1),
    paymentId: z.string().min(1),
    amount: moneySchema,
    returnId: z.string().min(1).max(200).nullable(),
  }),
});
