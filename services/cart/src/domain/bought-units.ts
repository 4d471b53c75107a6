/** A product and a number of its units: a cart line, or a line of an order. */
export interface Units {
  productId: string;
  quantity: number;
}

/** What a confirmed order does to the cart lines of the products it bought. */
export interface LinesAfterPurchase {
  keep: Units[];
  remove: string[];
}

/**
 * Takes the bought units out of the cart's lines: a line keeps what the customer had beyond the
 * order (added after checkout) and goes once nothing is left. A product the order lists on several
 * lines counts once, with all its units; a bought product with no line changes nothing.
 */
export function linesAfterPurchase(lines: Units[], bought: Units[]): LinesAfterPurchase {
  const boughtByProduct = new Map<string, number>();
  for (const item of bought) {
    boughtByProduct.set(item.productId, (boughtByProduct.get(item.productId) ?? 0) + item.quantity);
  }
  const result: LinesAfterPurchase = { keep: [], remove: [] };
  for (const line of lines) {
    const units = boughtByProduct.get(line.productId);
    if (units === undefined) continue;
    const left = line.quantity - units;
    if (left > 0) result.keep.push({ productId: line.productId, quantity: left });
    else result.remove.push(line.productId);
  }
  return result;
}
