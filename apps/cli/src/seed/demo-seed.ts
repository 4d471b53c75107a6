import { type DemoProduct, demoImagePng, demoProducts } from "@mercato/catalog";
import type { Host, Logger, PlatformConfig } from "@mercato/platform";

/** The embedded default admin (api.md, "Accounts"), used when MERCATO_ADMIN_* are unset. */
const defaultAdmin = { email: "admin@mercato.local", password: "mercato-admin" };

const seedingServices = ["identity", "catalog", "inventory"];

/**
 * Loads the demo shop into an empty store through the public API, as an import script would: the
 * admin signs in, creates each product, uploads its picture and sets its stock. Runs only when
 * identity, catalog and inventory run in this process and the catalog is empty, so a restart or a
 * shop with products of its own is left alone.
 */
export async function seedDemoShop(host: Host, config: PlatformConfig, logger: Logger): Promise<void> {
  const running = new Set(host.services.map((service) => service.definition.name));
  if (config.seed !== "demo" || !seedingServices.every((name) => running.has(name))) return;
  const api = new SeedClient(host);
  const admin = config.admin ?? defaultAdmin;
  const login = await api.call<{ accessToken: string }>("POST", "/api/auth/login", admin);
  api.token = login.accessToken;
  const existing = await api.call<{ items: unknown[] }>("GET", "/api/products?limit=1");
  if (existing.items.length > 0) return;

  const started = Date.now();
  const products = demoProducts();
  for (const product of products) await createProduct(api, product);
  logger.info(
    { products: products.length, ms: Date.now() - started },
    "loaded the demo shop (MERCATO_SEED=demo)",
  );
}

async function createProduct(api: SeedClient, product: DemoProduct): Promise<void> {
  const { initialStock, ...fields } = product;
  const created = await api.call<{ id: string }>("POST", "/api/products", fields);
  await api.call("POST", `/api/products/${created.id}/images`, demoImagePng(product), "image/png");
  await api.call("PUT", `/api/inventory/${encodeURIComponent(product.sku)}`, { onHand: initialStock });
}

/** Requests into the running server without a network hop. */
class SeedClient {
  token: string | undefined;

  constructor(private readonly host: Host) {}

  async call<T = unknown>(
    method: "GET" | "POST" | "PUT",
    url: string,
    body?: unknown,
    contentType = "application/json",
  ) {
    const response = await this.host.app.inject({
      method,
      url,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      ...(body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    if (response.statusCode >= 300) {
      throw new Error(`Demo seed: ${method} ${url} answered ${response.statusCode}: ${response.body}`);
    }
    return (response.body ? response.json() : undefined) as T;
  }
}
