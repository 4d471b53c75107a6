import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { moneySchema } from "../money.ts";

const source = "mercato.orders";

export const PaymentRequested = defineEvent({
  source,
  detailType: "PaymentRequested",
  description:
    "The checkout saga asks payments to authorize an order's amount. The customer's payment token travels sealed (AES-256-GCM, purpose payment-token), never in clear.",
  detail: z.object({
    orderId: z.string().min(1),
    amount: moneySchema,
    sealedToken: z.string().min(1).max(2048),
  }),
});
