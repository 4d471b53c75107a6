import type { Money } from "@mercato/contracts";

export const reasons = ["bought-together", "viewed-together", "for-you", "popular"] as const;
export type Reason = (typeof reasons)[number];

/** What a recommendation shows of a product: enough for a tile in a storefront. */
export interface ProductSummary {
  id: string;
  sku: string;
  name: string;
  price: Money;
  image: string | null;
}

export interface Recommendation {
  product: ProductSummary;
  /** Today's decayed evidence behind the reason; comparable between items of the same reason. */
  score: number;
  reason: Reason;
  /** The product the evidence links it to: the one asked about, or one of the user's; null for popular. */
  basedOn: string | null;
}

/** Related items first, in their order, then popular ones not already shown, up to `limit`. */
export function withPopular(
  related: Recommendation[],
  popular: Recommendation[],
  limit: number,
): Recommendation[] {
  const shown = new Set(related.map((item) => item.product.id));
  const fill = popular.filter((item) => !shown.has(item.product.id));
  return [...related, ...fill].slice(0, limit);
}
