/** Skus as the catalog writes them: a letter or digit, then up to 63 letters, digits, `.`, `_`, `-`. */
export const skuPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The most units one sku can hold; also bounds what one order line can ask for. */
export const maxOnHand = 1_000_000;

export interface StockLevels {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface StockLine {
  sku: string;
  quantity: number;
}

/**
 * `cancel`: a committed order (or an accepted marketplace order) was cancelled and its units went
 * back on hand; `marketplace-order`: another channel's order took units straight off on hand.
 */
export type StockLedgerKind =
  | "restock"
  | "adjust"
  | "reserve"
  | "release"
  | "commit"
  | "return"
  | "cancel"
  | "marketplace-order";

/** Mercato's own storefront and returns; `admin` for PUT /api/inventory/{sku}. */
export const webChannel = "web";
export const adminChannel = "admin";

/**
 * `failed` remembers a refused reservation so that asking again gives the same answer;
 * `restocked` is a committed one whose order was cancelled, its units back on hand.
 */
export type ReservationStatus = "active" | "committed" | "released" | "expired" | "failed" | "restocked";

/** Setting on hand upwards is a restock; downwards (a count, breakage, loss) an adjustment. */
export function adjustmentKind(onHandBefore: number, onHandAfter: number): StockLedgerKind {
  return onHandAfter > onHandBefore ? "restock" : "adjust";
}

/** True when a sku had nothing available and now has some: what back-in-stock watches wait for. */
export function cameBackInStock(availableBefore: number, availableAfter: number): boolean {
  return availableBefore <= 0 && availableAfter > 0;
}

/** On hand cannot go below what is reserved for orders: those units are promised. */
export class OnHandBelowReservedError extends Error {
  override name = "OnHandBelowReservedError";
  constructor(
    readonly sku: string,
    readonly onHand: number,
    readonly reserved: number,
  ) {
    super(`${sku} has ${reserved} units reserved for orders; on hand cannot be set to ${onHand}`);
  }
}
