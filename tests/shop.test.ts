import { call as callUrl, startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";

/**
 * The shopping half end to end on the embedded platform, every service in one process as
 * `npm start` runs them, with real identity tokens: what one service does reaches the others only
 * through events.
 */
describe("a shop on the embedded platform", () => {
  let host: TestHost;
  let admin: string;
  let customer: string;

  const call = (method: string, url: string, options: { token?: string; body?: unknown } = {}) =>
    callUrl(host.url, method, url, options);

  beforeAll(async () => {
    host = await startTestHost({ services: selectServices(), auth: "identity" });
    admin = (
      await call("POST", "/api/auth/login", {
        body: { email: "admin@mercato.local", password: "mercato-admin" },
      })
    ).body.accessToken;
    customer = (
      await call("POST", "/api/auth/register", {
        body: { email: "ada@example.com", password: "correct horse battery", name: "Ada" },
      })
    ).body.accessToken;
  });

  afterAll(async () => {
    await host?.close();
  });

  it("sells a product from creation to cart, with stock, prices and removal flowing through events", async () => {
    expect(admin).toBeTruthy();
    expect(customer).toBeTruthy();
    const created = await call("POST", "/api/products", {
      token: admin,
      body: {
        sku: "LAMP-1",
        name: "Brass desk lamp",
        description: "A warm light for late work.",
        category: "Home & Kitchen",
        price: { amount: 4900, currency: "EUR" },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.inStock).toBe(false);
    const id = created.body.id;

    const stocked = await call("PUT", "/api/inventory/LAMP-1", { token: admin, body: { onHand: 5 } });
    expect(stocked.body).toEqual({ sku: "LAMP-1", onHand: 5, reserved: 0, available: 5 });
    await expect.poll(async () => (await call("GET", `/api/products/${id}`)).body.inStock).toBe(true);

    await expect
      .poll(
        async () =>
          (await call("POST", "/api/cart/items", { token: customer, body: { productId: id, quantity: 2 } }))
            .status,
      )
      .toBe(200);
    const cart = await call("GET", "/api/cart", { token: customer });
    expect(cart.body.items).toEqual([
      expect.objectContaining({
        productId: id,
        sku: "LAMP-1",
        quantity: 2,
        unitPrice: { amount: 4900, currency: "EUR" },
        lineTotal: { amount: 9800, currency: "EUR" },
      }),
    ]);

    const repriced = await call("PATCH", `/api/products/${id}`, {
      token: admin,
      body: { price: { amount: 3900, currency: "EUR" } },
    });
    expect(repriced.status).toBe(200);
    await expect
      .poll(async () => (await call("GET", "/api/cart", { token: customer })).body.subtotal, { interval: 20 })
      .toEqual({ amount: 7800, currency: "EUR" });

    expect((await call("DELETE", `/api/products/${id}`, { token: admin })).status).toBe(204);
    await expect
      .poll(async () => (await call("GET", "/api/cart", { token: customer })).body.items)
      .toEqual([]);
    expect((await call("GET", `/api/products/${id}`)).status).toBe(404);
  });

  it("keeps roles apart across services", async () => {
    const denied = await call("GET", "/api/inventory/LAMP-1", { token: customer });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("content-type")).toBe("application/problem+json");
    expect((await call("POST", "/api/products", { body: {} })).status).toBe(401);
    expect((await call("GET", "/api/cart")).status).toBe(401);
    expect((await call("GET", "/api/ops/queues", { token: customer })).status).toBe(403);
    const queues = await call("GET", "/api/ops/queues", { token: admin });
    expect(queues.body.items.map((queue: { name: string }) => queue.name)).toEqual(
      expect.arrayContaining(["gateway-catalog-cache", "catalog-stock-levels", "cart-product-replica"]),
    );
    const catalogEvents = await call("GET", "/api/ops/events?source=mercato.catalog&limit=100", {
      token: admin,
    });
    expect(catalogEvents.body.items.map((event: { "detail-type": string }) => event["detail-type"])).toEqual(
      expect.arrayContaining(["ProductCreated", "PriceChanged", "ProductDeleted"]),
    );
  });

  it("describes every service's routes in one OpenAPI document", async () => {
    const document = await call("GET", "/openapi.json");
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/me",
        "/.well-known/jwks.json",
        "/api/products",
        "/api/products/{id}",
        "/api/products/{id}/images",
        "/api/categories",
        "/api/inventory/{sku}",
        "/api/cart",
        "/api/cart/items",
        "/api/cart/items/{productId}",
        "/api/orders",
        "/api/orders/{id}",
        "/api/orders/{id}/timeline",
        "/api/orders/{id}/cancel",
        "/api/orders/{id}/ship",
        "/api/orders/{id}/deliver",
        "/api/orders/{id}/returns",
        "/api/returns/{id}/receive",
        "/api/ops/queues",
      ]),
    );
    const checkout = document.body.paths["/api/orders"].post;
    expect(checkout.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(checkout.responses)).toEqual(expect.arrayContaining(["202", "409", "422", "503"]));
    expect(JSON.stringify(checkout.parameters)).toContain("idempotency-key");
  });
});
