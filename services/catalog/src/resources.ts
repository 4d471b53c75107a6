import type { ServiceContext } from "@mercato/platform";
import { openProductImages, type ProductImages } from "./store/product-images.ts";
import type { CatalogTables } from "./store/tables.ts";

/**
 * What catalog's routes share in one run: the images' blob store (neither its files nor the S3
 * client's idle connections need closing at stop).
 */
export interface CatalogResources {
  images: ProductImages;
}

export async function catalogResources({
  config,
}: ServiceContext<CatalogTables, unknown, undefined>): Promise<CatalogResources> {
  return { images: await openProductImages(config) };
}

/** The context catalog's routes and handlers run with. */
export type CatalogContext = ServiceContext<CatalogTables, unknown, CatalogResources>;
