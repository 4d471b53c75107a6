import type {
  BackInStock,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
} from "@mercato/contracts";
import type { EventOf, HandlerContext } from "@mercato/platform";
import { backInStock, dropFiresWatch, isPriceDrop, priceDropped } from "../domain/watch-notices.ts";
import { recordNotifications } from "../store/notifications.ts";
import { applyProductSnapshot, findProduct, forgetProduct, productsWithSku } from "../store/replicas.ts";
import type { NotificationsTables } from "../store/tables.ts";
import { deleteWatchesOfProduct, fireWatches } from "../store/watches.ts";

type Context = HandlerContext<NotificationsTables>;

/** Keeps what watches need of a product: its sku (BackInStock names skus), name and currency. */
export async function onProductSnapshot(
  event: EventOf<typeof ProductCreated> | EventOf<typeof ProductUpdated>,
  context: Context,
): Promise<void> {
  const { productId, sku, name, price } = event.detail;
  await applyProductSnapshot(context.transaction, { productId, sku, name, currency: price.currency }, event);
}

export async function onProductDeleted(event: EventOf<typeof ProductDeleted>, context: Context) {
  await forgetProduct(context.transaction, event.detail, event);
  await deleteWatchesOfProduct(context.transaction, event.detail.productId);
}

/** A drop fires the product's price-drop watches whose target it goes below (any drop without one). */
export async function onPriceChanged(event: EventOf<typeof PriceChanged>, context: Context) {
  const { productId, oldPrice, newPrice } = event.detail;
  if (!isPriceDrop(oldPrice, newPrice)) return;
  const product = await findProduct(context.transaction, productId);
  if (!product || product.deleted) return;
  const fired = await fireWatches(context.transaction, productId, "price-drop", (watch) =>
    dropFiresWatch(watch.targetPrice, newPrice),
  );
  const draft = priceDropped({ productId, name: product.name, oldPrice, newPrice });
  await recordNotifications(
    context,
    fired.map((watch) => ({ userId: watch.userId, draft })),
    event,
  );
}

/** Fires the back-in-stock watches of the products sold under the sku. */
export async function onBackInStock(event: EventOf<typeof BackInStock>, context: Context) {
  for (const product of await productsWithSku(context.transaction, event.detail.sku)) {
    const fired = await fireWatches(context.transaction, product.productId, "back-in-stock", () => true);
    const draft = backInStock(product);
    await recordNotifications(
      context,
      fired.map((watch) => ({ userId: watch.userId, draft })),
      event,
    );
  }
}
