export const productSorts = ["relevance", "price_asc", "price_desc", "newest"] as const;

export type ProductSort = (typeof productSorts)[number];

/** Where the next page starts: keyset positions for the ordered sorts, an offset for relevance. */
export type SearchPosition =
  | { sort: "relevance"; offset: number }
  | { sort: "price_asc" | "price_desc"; amount: number; id: string }
  | { sort: "newest"; createdAt: string; id: string };

export interface ProductSearch {
  /** Words to find; absent for browsing. */
  q: string | undefined;
  category: string | undefined;
  minPrice: number | undefined;
  maxPrice: number | undefined;
  sort: ProductSort;
  limit: number;
  after: SearchPosition | undefined;
}

/** Relevance without words to rank by is the newest first. */
export function effectiveSort(requested: ProductSort | undefined, q: string | undefined): ProductSort {
  const sort = requested ?? (q ? "relevance" : "newest");
  return sort === "relevance" && !q ? "newest" : sort;
}
