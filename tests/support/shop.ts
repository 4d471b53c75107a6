import type { Host, Logger, ServiceDefinition } from "@mercato/platform";
import { removeNatsResources } from "@mercato/platform/nats";
import {
  type Answer,
  call,
  dropServiceDatabases,
  externalServices,
  startTestHost,
  type TestAuthority,
} from "@mercato/platform/testing";
import { expect } from "vitest";
import { selectServices } from "../../apps/cli/src/services.ts";

// biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field by the tests.
export type Body = any;

export type { Answer };

export interface ShopClient {
  url: string;
  call(
    method: string,
    url: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<Answer>;
  adminToken(): Promise<string>;
  /** A new customer with a unique email; answers the access token and the user id. */
  register(name?: string): Promise<{ token: string; id: string }>;
  /** A product with stock, in the catalog and in cart's replica, ready to be put in a cart. */
  stockedProduct(options: {
    sku: string;
    price: number;
    onHand: number;
  }): Promise<{ id: string; sku: string }>;
  addToCart(token: string, productId: string, quantity: number): Promise<void>;
  checkout(token: string, options?: { paymentToken?: string; key?: string }): Promise<Answer>;
  /** Polls the order until its status is one of `statuses` (the run's poll limit unless given); answers it. */
  orderReaching(token: string, orderId: string, statuses: string[], timeoutMs?: number): Promise<Body>;
  stock(sku: string): Promise<{ onHand: number; reserved: number; available: number }>;
}

export const address = {
  name: "Ada Lovelace",
  line1: "12 St James's Square",
  city: "London",
  postalCode: "SW1Y 4JH",
  country: "GB",
};

let emailCounter = 0;

/**
 * Talks to a running Mercato over HTTP, as a storefront or an admin would. The admin signs in as
 * the default admin unless `adminToken` gives another way to get a token.
 */
export function shopClient(
  baseUrl: string,
  options: { adminToken?: () => Promise<string> } = {},
): ShopClient {
  let admin: string | undefined;
  const client: ShopClient = {
    url: baseUrl,
    call(method, url, { rawBody, ...options } = {}) {
      return call(baseUrl, method, url, { ...options, ...(rawBody === undefined ? {} : { raw: rawBody }) });
    },
    async adminToken() {
      if (!admin && options.adminToken) admin = await options.adminToken();
      if (!admin) {
        const login = await client.call("POST", "/api/auth/login", {
          body: { email: "admin@mercato.local", password: "mercato-admin" },
        });
        expect(login.status).toBe(200);
        admin = login.body.accessToken as string;
      }
      return admin;
    },
    async register(name = "Customer") {
      emailCounter += 1;
      const email = `buyer-${process.pid}-${Date.now()}-${emailCounter}@example.com`;
      const registered = await client.call("POST", "/api/auth/register", {
        body: { email, password: "correct horse battery", name },
      });
      expect(registered.status).toBe(201);
      return { token: registered.body.accessToken, id: registered.body.user.id };
    },
    async stockedProduct({ sku, price, onHand }) {
      const token = await client.adminToken();
      const created = await client.call("POST", "/api/products", {
        token,
        body: { sku, name: `Product ${sku}`, category: "Tests", price: { amount: price, currency: "EUR" } },
      });
      expect(created.status).toBe(201);
      const stocked = await client.call("PUT", `/api/inventory/${sku}`, { token, body: { onHand } });
      expect(stocked.status).toBe(200);
      await expect
        .poll(async () => (await client.call("GET", `/api/products/${created.body.id}`)).body.inStock)
        .toBe(onHand > 0);
      return { id: created.body.id, sku };
    },
    async addToCart(token, productId, quantity) {
      // Cart learns products from catalog's events: right after creation it may not know it yet.
      await expect
        .poll(
          async () =>
            (await client.call("POST", "/api/cart/items", { token, body: { productId, quantity } })).status,
        )
        .toBe(200);
    },
    async checkout(token, options = {}) {
      return client.call("POST", "/api/orders", {
        token,
        headers: { "idempotency-key": options.key ?? crypto.randomUUID() },
        body: { shippingAddress: address, payment: { token: options.paymentToken ?? "tok_visa" } },
      });
    },
    async orderReaching(token, orderId, statuses, timeoutMs) {
      let order: Body;
      await expect
        .poll(
          async () => {
            order = (await client.call("GET", `/api/orders/${orderId}`, { token })).body;
            return statuses.includes(order?.status);
          },
          { ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }), interval: 50 },
        )
        .toBe(true);
      return order;
    },
    async stock(sku) {
      const answer = await client.call("GET", `/api/inventory/${sku}`, { token: await client.adminToken() });
      expect(answer.status).toBe(200);
      return answer.body;
    },
  };
  return client;
}

/**
 * Every service in one process on a fresh data directory, as `npm start` runs them, trusting
 * identity's own keys unless `auth` is given; with `distributed`, on PostgreSQL and NATS under a
 * prefix of its own, removed on close.
 */
export async function startShop(
  options: {
    services?: ServiceDefinition<unknown>[];
    env?: Record<string, string>;
    distributed?: { prefix: string };
    auth?: TestAuthority;
    /** Silent unless given: a test that reads the logs passes its own. */
    logger?: Logger;
  } = {},
): Promise<{ host: Host; client: ShopClient; close(): Promise<void> }> {
  const { auth } = options;
  const started = await startTestHost({
    services: options.services ?? selectServices(),
    auth: auth ?? "identity",
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.distributed ? { distributed: true, prefix: options.distributed.prefix } : {}),
  });
  return {
    host: started.host,
    client: shopClient(started.url, auth ? { adminToken: () => auth.token({ roles: ["admin"] }) } : {}),
    close: started.close,
  };
}

/**
 * A shop on PostgreSQL and NATS under a prefix of its own, for one describe block: `start` in
 * beforeAll, `close` in afterAll. A start that outlived its hook never handed the shop over, so
 * `close` then removes what it made by its prefix.
 */
export function distributedShop(name: string, services: ServiceDefinition<unknown>[]) {
  const prefix = `t${name}${process.pid}${Date.now() % 100_000}`;
  let shop: Awaited<ReturnType<typeof startShop>> | undefined;
  return {
    async start(auth: TestAuthority) {
      shop = await startShop({ distributed: { prefix }, auth, services });
      return shop;
    },
    async close() {
      if (shop) return shop.close();
      await dropServiceDatabases(
        services.map((service) => service.name),
        prefix,
      );
      await removeNatsResources({ url: externalServices.nats.url, prefix });
    },
  };
}
