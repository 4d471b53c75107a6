import type { StockLine } from "./stock.ts";

export class InvalidStockLinesError extends Error {
  override name = "InvalidStockLinesError";
}

/**
 * One line per sku (quantities of repeated skus added up), in sku order. Every transaction that
 * locks several stock rows takes them in this order, so two of them never wait on each other.
 */
export function normalizeLines(lines: readonly StockLine[]): StockLine[] {
  if (lines.length === 0) throw new InvalidStockLinesError("A reservation needs at least one line");
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of lines) {
    if (!Number.isSafeInteger(quantity) || quantity < 1) {
      throw new InvalidStockLinesError(`The quantity of ${sku} must be a positive integer, not ${quantity}`);
    }
    quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  }
  return [...quantities]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

/**
 * Every line that cannot be served from `available` (0 for a sku not stocked), always including
 * `failedSku`, the one whose conditional update found too little.
 */
export function shortagesOf(
  lines: readonly StockLine[],
  available: ReadonlyMap<string, number>,
  failedSku: string,
): Shortage[] {
  return lines
    .filter((line) => line.sku === failedSku || (available.get(line.sku) ?? 0) < line.quantity)
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
}
