import { defineService } from "@mercato/platform";
import { registerCategoryRoutes } from "./api/categories.ts";
import { productImageRoutes } from "./api/product-images.ts";
import { registerProductRoutes } from "./api/products.ts";
import { stockLevelChanged } from "./handlers/stock-level-changed.ts";
import { type CatalogResources, catalogResources } from "./resources.ts";
import type { CatalogTables } from "./store/tables.ts";

export const catalogService = defineService<CatalogTables, unknown, CatalogResources>({
  name: "catalog",
  migrations: new URL("../migrations/", import.meta.url),
  resources: catalogResources,
  async routes(app, context) {
    registerProductRoutes(app, context);
    registerCategoryRoutes(app, context);
    await app.register(productImageRoutes(context));
  },
  subscriptions: [stockLevelChanged],
});

export type { AttributeValue } from "./domain/product.ts";
