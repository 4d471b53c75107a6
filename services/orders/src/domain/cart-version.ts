import { createHash } from "node:crypto";

/**
 * Names one version of a customer's cart: cart's revision (which moves with every change to the
 * lines) and the lines themselves, products and quantities in a fixed order. Orders keeps one live
 * order per version, so a checkout sent twice (a double-click, a retry with a fresh
 * Idempotency-Key) orders once. The lines are part of it because cart leaves out lines it cannot
 * sell (a product moved to another currency) without a change of revision; prices are not, so a
 * price change alone never makes a second order of the same cart.
 */
export function cartVersionOf(
  revision: number,
  lines: readonly { productId: string; quantity: number }[],
): string {
  const canonical = lines
    .map((line) => [line.productId, line.quantity] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash("sha256").update(JSON.stringify(canonical), "utf8").digest("base64url");
  return `${revision}:${digest}`;
}
