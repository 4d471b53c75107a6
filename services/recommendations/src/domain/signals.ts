import type { Money } from "@mercato/contracts";

/**
 * What each interaction is worth, in popularity and in a user's affinity for a product: buying
 * says more than putting in a cart, which says more than looking.
 */
export const interactionWeights = { view: 1, cartAdd: 3, purchase: 5 } as const;

/** A pair bought together weighs three pairs viewed together in a neighbour's score. */
export const boughtTogetherWeight = 3;

/** Two products count as viewed together when one viewer looked at both within this window. */
export const viewWindow = { ms: 30 * 60_000, products: 10 } as const;

/** An order's pairs grow with the square of its lines: only its largest lines form pairs. */
export const pairedOrderLines = 10;

/** Evidence that two products go together, added to the directed pair (productId → neighbourId). */
export interface PairIncrement {
  productId: string;
  neighbourId: string;
  bought: number;
  viewed: number;
  score: number;
}

type Evidence = { bought?: number; viewed?: number };

/**
 * Both directions of every pair of distinct products (an order's lines), each carrying `evidence`
 * (already decay-weighted).
 */
export function pairsWithin(productIds: string[], evidence: Evidence): PairIncrement[] {
  const distinct = [...new Set(productIds)];
  return inKeyOrder(
    distinct.flatMap((one) =>
      distinct.filter((other) => other !== one).map((other) => pair(one, other, evidence)),
    ),
  );
}

/** Both directions of the pairs of `productId` with each of `others` (a view and the viewer's window). */
export function pairsWith(productId: string, others: string[], evidence: Evidence): PairIncrement[] {
  const distinct = [...new Set(others)].filter((other) => other !== productId);
  return inKeyOrder(
    distinct.flatMap((other) => [pair(productId, other, evidence), pair(other, productId, evidence)]),
  );
}

function pair(productId: string, neighbourId: string, evidence: Evidence): PairIncrement {
  const bought = evidence.bought ?? 0;
  const viewed = evidence.viewed ?? 0;
  return { productId, neighbourId, bought, viewed, score: boughtTogetherWeight * bought + viewed };
}

/** Sorted by product then neighbour, so that concurrent writers lock the rows in one order. */
function inKeyOrder(pairs: PairIncrement[]): PairIncrement[] {
  const key = (pair: PairIncrement) => `${pair.productId} ${pair.neighbourId}`;
  return pairs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The products of an order that form pairs: distinct, its largest lines first, at most pairedOrderLines. */
export function pairedProductsOf(items: { productId: string; lineTotal: Money }[]): string[] {
  const largestFirst = [...items].sort((a, b) => b.lineTotal.amount - a.lineTotal.amount);
  return [...new Set(largestFirst.map((item) => item.productId))].slice(0, pairedOrderLines);
}

/** Who viewed, as recent_views keys them: a signed-in user, else a storefront session, else nobody known. */
export function viewerOf(detail: {
  userId?: string | undefined;
  sessionId?: string | undefined;
}): string | undefined {
  if (detail.userId) return `user:${detail.userId}`;
  if (detail.sessionId) return `session:${detail.sessionId}`;
  return undefined;
}

/**
 * What one view teaches, given the products the viewer looked at within the window: a product
 * already there is a reload or a return to it, not new evidence, so it counts for nothing; a new
 * one counts once and pairs with every product of the window.
 */
export function viewLesson(
  productId: string,
  windowProducts: string[],
): { counts: boolean; pairedWith: string[] } {
  if (windowProducts.includes(productId)) return { counts: false, pairedWith: [] };
  return { counts: true, pairedWith: windowProducts };
}

/** The reason a neighbour is shown: whichever kind of evidence contributes more to its score. */
export function pairReason(bought: number, viewed: number): "bought-together" | "viewed-together" {
  return boughtTogetherWeight * bought >= viewed ? "bought-together" : "viewed-together";
}
