import type { StockLine } from "./stock.ts";

// Decisions about other channels' orders and stock feeds (api.md, "Events in"); the store
// carries them out under row locks.

export type MarketplaceOrderStatus = "accepted" | "rejected" | "cancelled";
export type MarketplaceRejection = "out_of_stock" | "unknown_sku";

/** The skus of `lines` that inventory does not stock: any of them rejects the order as unknown_sku. */
export function unknownSkus(lines: readonly StockLine[], stocked: ReadonlySet<string>): string[] {
  return lines.filter((line) => !stocked.has(line.sku)).map((line) => line.sku);
}

/**
 * A cancellation gives units back only for an accepted order. A rejected one took nothing, and a
 * cancelled one gave them back already; an order never seen gets a tombstone (see the store).
 */
export function marketplaceCancelStep(status: MarketplaceOrderStatus): "give-back" | "unchanged" {
  return status === "accepted" ? "give-back" : "unchanged";
}

/**
 * The units on hand a counted level becomes. Units reserved for checkouts in flight are still on
 * the shelf, so a count below them means they were sold twice; on hand then stays at what is
 * reserved (nothing more can be sold) rather than breaking the promise made to those orders.
 */
export function onHandForLevel(counted: number, reserved: number): number {
  return Math.max(counted, reserved);
}
