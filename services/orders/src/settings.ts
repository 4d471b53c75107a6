import { ConfigError } from "@mercato/platform";
import { z } from "zod";

const settingsSchema = z.object({
  MERCATO_CART_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  MERCATO_PAYMENT_TIMEOUT_MS: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number of milliseconds")
    .min(100, "must be at least 100")
    // Inventory holds a checkout's units for 15 minutes; the saga must decide well before.
    .max(600_000, "must be at most 600000 (ten minutes)")
    .default(60_000),
});

export interface OrdersSettings {
  /** Where cart answers the checkout snapshot; absent: cart runs in this process. */
  cartUrl?: string;
  /** How long the saga waits for payments' answer before rejecting with payment_timeout. */
  paymentTimeoutMs: number;
}

/** The schema the host parses the environment with: `ordersSettings` over every variable. */
export const ordersSettingsSchema = z
  .record(z.string(), z.string().optional())
  .transform((env): OrdersSettings => ordersSettings(env));

/** Orders' own settings, from the environment, with every problem named when invalid. */
export function ordersSettings(env: Record<string, string | undefined> = process.env): OrdersSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => name in settingsSchema.shape && value !== undefined && value !== "",
    ),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) =>
          `${String(issue.path[0])} ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`,
      ),
    );
  }
  return {
    ...(parsed.data.MERCATO_CART_URL ? { cartUrl: parsed.data.MERCATO_CART_URL } : {}),
    paymentTimeoutMs: parsed.data.MERCATO_PAYMENT_TIMEOUT_MS,
  };
}
