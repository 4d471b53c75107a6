import { causedBy, ProductUpdated, StockLevelChanged } from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import { productEventDetail } from "../domain/product.ts";
import { findProductBySku } from "../store/products.ts";
import { recordStockLevel } from "../store/stock-levels.ts";
import type { CatalogTables } from "../store/tables.ts";

/**
 * Keeps the catalog's replica of availability: inStock is whether inventory last said the sku has
 * stock available. When it flips for a product, ProductUpdated tells caches and replicas.
 */
export const stockLevelChanged: SubscriptionDefinition<CatalogTables> = {
  name: "stock-levels",
  handlers: [
    on(StockLevelChanged, async (event, { transaction, publish }) => {
      const { sku, available } = event.detail;
      const { applied, inStockBefore } = await recordStockLevel(transaction, {
        sku,
        available,
        time: new Date(event.time),
      });
      if (!applied || inStockBefore === available > 0) return;
      const product = await findProductBySku(transaction, sku);
      if (!product) return;
      await publish([
        ProductUpdated.create(
          { ...productEventDetail(product), changed: ["inStock"] },
          { ...causedBy(event), resources: [product.id] },
        ),
      ]);
    }),
  ],
};
