import type { components } from "../api/openapi-types.ts";

type Money = components["schemas"]["Money"];

const formats = new Map<string, Intl.NumberFormat>();

function formatFor(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    formats.set(currency, format);
  }
  return format;
}

/** How many minor units make one of the currency's major units, as a power of ten (2 for EUR). */
export function minorDigits(currency: string): number {
  return formatFor(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(money: Money): string {
  return formatFor(money.currency).format(money.amount / 10 ** minorDigits(money.currency));
}

/** A price typed in major units ("12.50") as the API's integer minor units, or null when it is not one. */
export function toMinorUnits(typed: string, currency: string): number | null {
  const value = Number(typed);
  if (typed.trim() === "" || !Number.isFinite(value) || value < 0) return null;
  return Math.round(value * 10 ** minorDigits(currency));
}

export function Price({ money }: { money: Money }) {
  return <span class="price">{formatMoney(money)}</span>;
}
