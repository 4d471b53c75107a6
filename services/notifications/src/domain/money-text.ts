import type { Money } from "@mercato/contracts";

/** An amount in minor units as people read it: `€12.50`, `¥1,200`. */
export function moneyText({ amount, currency }: Money): string {
  const format = new Intl.NumberFormat("en", { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}
