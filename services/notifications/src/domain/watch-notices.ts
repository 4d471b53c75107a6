import type { Money } from "@mercato/contracts";
import { moneyText } from "./money-text.ts";
import type { NotificationDraft } from "./notification.ts";

export const watchKinds = ["price-drop", "back-in-stock"] as const;
export type WatchKind = (typeof watchKinds)[number];

export interface Watch {
  id: string;
  userId: string;
  productId: string;
  kind: WatchKind;
  targetPrice: Money | null;
  createdAt: Date;
  firedAt: Date | null;
}

/** A price change is a drop when the new price is lower, in the same currency. */
export function isPriceDrop(oldPrice: Money, newPrice: Money): boolean {
  return oldPrice.currency === newPrice.currency && newPrice.amount < oldPrice.amount;
}

/**
 * Whether a drop to `newPrice` fires a price-drop watch: any drop without a target, otherwise only
 * a price strictly below the target (api.md: "below targetPrice"), in the target's currency.
 */
export function dropFiresWatch(targetPrice: Money | null, newPrice: Money): boolean {
  if (targetPrice === null) return true;
  return targetPrice.currency === newPrice.currency && newPrice.amount < targetPrice.amount;
}

const productLink = (productId: string) => `/products/${productId}`;

export function priceDropped(product: {
  productId: string;
  name: string;
  oldPrice: Money;
  newPrice: Money;
}): NotificationDraft {
  return {
    type: "price.dropped",
    title: `Price drop: ${product.name}`,
    body: `${product.name} now costs ${moneyText(product.newPrice)} (was ${moneyText(product.oldPrice)}).`,
    link: productLink(product.productId),
  };
}

export function backInStock(product: { productId: string; name: string }): NotificationDraft {
  return {
    type: "back-in-stock",
    title: `Back in stock: ${product.name}`,
    body: `${product.name} is available again. Get it before it is gone.`,
    link: productLink(product.productId),
  };
}
