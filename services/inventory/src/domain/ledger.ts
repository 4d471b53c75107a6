import type { StockLedgerKind } from "./stock.ts";

/** Why a sku's stock moved, as `GET /api/inventory/{sku}/ledger` says it. */
export type LedgerReason =
  | "adjustment"
  | "reservation"
  | "release"
  | "order"
  | "cancel"
  | "return"
  | "marketplace-order";

const reasons: Record<StockLedgerKind, LedgerReason> = {
  restock: "adjustment",
  adjust: "adjustment",
  reserve: "reservation",
  release: "release",
  commit: "order",
  cancel: "cancel",
  return: "return",
  "marketplace-order": "marketplace-order",
};

export function ledgerReason(kind: StockLedgerKind): LedgerReason {
  return reasons[kind];
}

/**
 * One movement: `change` is the units on hand gained or lost (summing a sku's changes gives its
 * on hand), `reservedChange` the units reserved for checkouts (summing gives reserved).
 */
export interface LedgerEntry {
  at: Date;
  change: number;
  reservedChange: number;
  reason: LedgerReason;
  reference: { channel: string; orderId: string | null; returnId: string | null };
}
