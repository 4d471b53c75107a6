import type { ServiceContext } from "@mercato/platform";
import { openProductImages, type ProductImages } from "./store/product-images.ts";
import type { CatalogTables } from "./store/tables.ts";

/** What catalog's routes share in one run: the images' blob store (files hold nothing open). */
export interface CatalogResources {
  images: ProductImages;
}

export function catalogResources({
  config,
}: ServiceContext<CatalogTables, unknown, undefined>): CatalogResources {
  return { images: openProductImages(config) };
}

/** The context catalog's routes and handlers run with. */
export type CatalogContext = ServiceContext<CatalogTables, unknown, CatalogResources>;
