import type { components } from "../api/openapi-types.ts";

type Money = components["schemas"]["Money"];

const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money): string {
  let format = formats.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: "currency", currency: money.currency });
    formats.set(money.currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

export function Price({ money }: { money: Money }) {
  return <span class="price">{formatMoney(money)}</span>;
}
