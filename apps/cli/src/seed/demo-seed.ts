import fs from "node:fs/promises";
import path from "node:path";
import type { Logger, PlatformConfig } from "@mercato/platform";
import { type DemoProduct, demoProducts } from "./demo-catalog.ts";
import { demoImagePng } from "./demo-image.ts";
import type { SeedApi } from "./seed-client.ts";

/** The embedded default admin (api.md, "Accounts"), used when MERCATO_ADMIN_* are unset. */
const defaultAdmin = { email: "admin@mercato.local", password: "mercato-admin" };

/** The services the load talks to: it runs only where all three are reachable. */
export const seedingServices = ["identity", "catalog", "inventory"];

/** How often the load reports how far it is, in products. */
const progressEvery = 50;

interface ExistingProduct {
  id: string;
  sku: string;
  images: string[];
}

/**
 * Loads the demo shop through the public API, as an import script would: the admin signs in,
 * creates each product, uploads its picture and sets its stock. It runs (with MERCATO_SEED=demo)
 * on an empty catalog, or to finish a load that was interrupted: a marker file in the data
 * directory says a load began, and each step is skipped when its result is already there. A shop
 * with products of its own is left alone. Stops between two products when `signal` aborts;
 * `progress` hears how far it got.
 */
export async function seedDemoShop(
  api: SeedApi,
  config: Pick<PlatformConfig, "dataDir" | "admin">,
  progress: (state: string) => void,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const marker = new SeedMarker(config.dataDir);
  const state = await marker.read();
  if (state === "loaded") {
    progress("loaded");
    return;
  }

  const login = await api.call<{ accessToken: string }>(
    "POST",
    "/api/auth/login",
    config.admin ?? defaultAdmin,
  );
  api.token = login.accessToken;
  const existing = await existingProducts(api);
  if (state === undefined && existing.size > 0) return;

  await marker.write("loading");
  const products = demoProducts();
  const started = Date.now();
  logger.info(
    { products: products.length, resumed: existing.size > 0 },
    "loading the demo shop (MERCATO_SEED=demo)",
  );
  for (const [index, product] of products.entries()) {
    if (signal.aborted) {
      logger.info(
        { loaded: index, of: products.length },
        "demo shop load stopped; the next start finishes it",
      );
      return;
    }
    progress(`loading ${index}/${products.length}`);
    await loadProduct(api, product, existing.get(product.sku));
    if ((index + 1) % progressEvery === 0) logger.info(`demo shop: ${index + 1}/${products.length} products`);
  }
  await marker.write("loaded");
  progress("loaded");
  logger.info({ products: products.length, ms: Date.now() - started }, "loaded the demo shop");
}

async function loadProduct(api: SeedApi, product: DemoProduct, existing: ExistingProduct | undefined) {
  const { initialStock, ...fields } = product;
  const created = existing ?? (await api.call<ExistingProduct>("POST", "/api/products", fields));
  if (created.images.length === 0) {
    await api.call("POST", `/api/products/${created.id}/images`, demoImagePng(product), "image/png");
  }
  await api.call("PUT", `/api/inventory/${encodeURIComponent(product.sku)}`, { onHand: initialStock });
}

/** Every product in the catalog, by sku (the demo shop has 220: three pages). */
async function existingProducts(api: SeedApi): Promise<Map<string, ExistingProduct>> {
  const bySku = new Map<string, ExistingProduct>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page: { items: ExistingProduct[]; nextCursor: string | null } = await api.call(
      "GET",
      `/api/products?limit=100&sort=newest${query}`,
    );
    for (const product of page.items) bySku.set(product.sku, product);
    cursor = page.nextCursor;
  } while (cursor);
  return bySku;
}

/** `demo-shop` in the data directory: absent (never began), `loading` or `loaded`. */
class SeedMarker {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "demo-shop");
  }

  async read(): Promise<"loading" | "loaded" | undefined> {
    const text = (await fs.readFile(this.file, "utf8").catch(() => "")).trim();
    return text === "loading" || text === "loaded" ? text : undefined;
  }

  async write(state: "loading" | "loaded"): Promise<void> {
    await fs.writeFile(this.file, `${state}\n`);
  }
}
