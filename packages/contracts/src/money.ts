import { z } from "zod";

/** An amount in minor units (cents) with its ISO 4217 currency. */
export const moneySchema = z.object({
  amount: z.number().int().min(0).max(1_000_000_000_00),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like EUR"),
});

export type Money = z.infer<typeof moneySchema>;
