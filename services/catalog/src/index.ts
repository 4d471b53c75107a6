import { defineService } from "@mercato/platform";
import { registerCategoryRoutes } from "./api/categories.ts";
import { productImageRoutes } from "./api/product-images.ts";
import { registerProductRoutes } from "./api/products.ts";
import { stockLevelChanged } from "./handlers/stock-level-changed.ts";
import { openProductImages } from "./store/product-images.ts";
import type { CatalogTables } from "./store/tables.ts";

export const catalogService = defineService<CatalogTables>({
  name: "catalog",
  migrations: new URL("../migrations/", import.meta.url),
  async routes(app, context) {
    const images = openProductImages(context.config);
    registerProductRoutes(app, context, images);
    registerCategoryRoutes(app, context);
    await app.register(productImageRoutes(context, images));
  },
  subscriptions: [stockLevelChanged],
});

export type { AttributeValue } from "./domain/product.ts";
