import type { Money, OrderLine } from "@mercato/contracts";

/** A line may hold 1 to 99 units; adding beyond that is refused, never silently clamped. */
export const maxLineQuantity = 99;
/** As many different products as one order may hold (the OrderPlaced contract's limit). */
export const maxCartLines = 100;

/** The currency of an empty cart's zero subtotal. */
export const defaultCurrency = "EUR";

/** What the cart's product replica knows about a product; any field may still be unknown. */
export interface ReplicaProduct {
  sku: string | null;
  name: string | null;
  price: Money | null;
  deleted: boolean;
}

export interface SellableProduct {
  sku: string;
  name: string;
  price: Money;
}

/** A stored line with its product as the replica has it now (undefined: never heard of). */
export interface StoredLine {
  productId: string;
  quantity: number;
  /** What inventory last said the product's sku has available; null when it has not said yet. */
  available: number | null;
  product: ReplicaProduct | undefined;
}

/** What the store holds for one cart: its revision and its lines. */
export interface StoredCart {
  revision: number;
  lines: StoredLine[];
}

/** A line priced like an order's line (contracts' OrderLine), with what inventory last said of its sku. */
export interface CartLine extends OrderLine {
  /** Units of the sku available to sell as inventory last said; null when it has not said yet. */
  available: number | null;
  /** The line asks for more than is available: checking out now would most likely be rejected out_of_stock. */
  exceedsStock: boolean;
}

export interface Cart {
  id: string;
  /** Goes up with every change to the cart's lines; 0 for a cart that never had one. */
  revision: number;
  items: CartLine[];
  subtotal: Money;
}

/** A product can be put in a cart once its fields and price are known and it is not deleted. */
export function sellable(product: ReplicaProduct | undefined): SellableProduct | undefined {
  if (!product || product.deleted || !product.sku || !product.name || !product.price) return undefined;
  return { sku: product.sku, name: product.name, price: product.price };
}

/**
 * The cart as the customer sees it, priced from the replica now. Lines are in the order they were
 * first added; the cart's currency is that of its oldest sellable line. Lines that cannot be bought
 * in it (product deleted, not known, or since moved to another currency) are left out, and so are
 * not part of the subtotal nor of a checkout.
 */
export function buildCart(id: string, { revision, lines }: StoredCart): Cart {
  const items: CartLine[] = [];
  let currency: string | undefined;
  for (const line of lines) {
    const product = sellable(line.product);
    if (!product) continue;
    currency ??= product.price.currency;
    if (product.price.currency !== currency) continue;
    items.push({
      productId: line.productId,
      sku: product.sku,
      name: product.name,
      quantity: line.quantity,
      unitPrice: product.price,
      lineTotal: { amount: product.price.amount * line.quantity, currency },
      available: line.available,
      exceedsStock: line.available !== null && line.quantity > line.available,
    });
  }
  const amount = items.reduce((sum, item) => sum + item.lineTotal.amount, 0);
  return { id, revision, items, subtotal: { amount, currency: currency ?? defaultCurrency } };
}

/**
 * Why a product sold at `price` cannot join `cart` (another currency, or a new line in a full
 * cart), or undefined when it can.
 */
export function cannotJoin(cart: Cart, productId: string, price: Money): string | undefined {
  const first = cart.items[0];
  if (first && first.unitPrice.currency !== price.currency) {
    return `Product ${productId} is priced in ${price.currency} but the cart is in ${first.unitPrice.currency}; a cart holds one currency`;
  }
  const isNewLine = !cart.items.some((item) => item.productId === productId);
  if (isNewLine && cart.items.length >= maxCartLines) {
    return `A cart holds at most ${maxCartLines} different products; remove one before adding product ${productId}`;
  }
  return undefined;
}
