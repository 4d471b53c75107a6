import { z } from "zod";
import type { PaymentProvider } from "./domain/payment-provider.ts";
import { createSandboxProvider } from "./domain/sandbox-provider.ts";

/** Payments' settings, read from the environment by the host. */
export const paymentsSettings = z
  .object({
    MERCATO_PAYMENT_PROVIDER: z.enum(["sandbox"], { message: 'must be "sandbox"' }).default("sandbox"),
  })
  .transform(
    (env): PaymentsSettings => ({
      provider:
        env.MERCATO_PAYMENT_PROVIDER === "sandbox" ? createSandboxProvider() : createSandboxProvider(),
    }),
  );

export interface PaymentsSettings {
  /** Who authorizes, captures, voids and refunds; the sandbox (test cards) unless configured. */
  provider: PaymentProvider;
}
