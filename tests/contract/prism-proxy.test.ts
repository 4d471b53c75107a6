import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { productPng } from "../../services/catalog/test/image-fixtures.ts";
import { address, type ShopClient, shopClient, startShop } from "../support/shop.ts";

/**
 * Prism as a validating proxy (`prism proxy --errors`) in front of a running shop: a request or an
 * answer the OpenAPI document does not allow becomes Prism's own error (a problem whose type is on
 * stoplight.io) or an `sl-violations` header. A journey through it must meet neither.
 *
 * Two proxies: the strict one validates requests and answers, for requests the document allows; the
 * other validates answers only, for bad requests (malformed JSON, wrong types, no token), which the
 * strict one would rightly refuse before the shop could answer them.
 */
const prismBin = path.join(import.meta.dirname, "../../node_modules/.bin/prism");

let shop: Awaited<ReturnType<typeof startShop>>;
let directory: string;
const proxies: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startPrism(document: string, options: { validateRequests: boolean }): Promise<ShopClient> {
  const port = await freePort();
  const args = [
    "proxy",
    document,
    shop.client.url,
    "--errors",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ];
  if (!options.validateRequests) args.push("--validate-request=false");
  const child = spawn(prismBin, args, { stdio: ["ignore", "pipe", "pipe"] });
  proxies.push(child);
  let output = "";
  child.stdout?.on("data", (data) => (output += data));
  child.stderr?.on("data", (data) => (output += data));
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(async () => {
      if (child.exitCode !== null) throw new Error(`prism exited: ${output}`);
      return fetch(`${url}/health/live`).then(
        (answer) => answer.status,
        () => 0,
      );
    })
    .toBe(200);
  return shopClient(url, { adminToken: () => shop.client.adminToken() });
}

/** Neither Prism's own error nor a violation it reports beside a passed-through answer. */
function expectConforming(answer: { status: number; headers: Headers; body: unknown }, what: string): void {
  const type = (answer.body as { type?: unknown } | undefined)?.type;
  expect({
    what,
    violations: answer.headers.get("sl-violations"),
    body: String(type).includes("stoplight") ? answer.body : "",
  }).toEqual({ what, violations: null, body: "" });
}

beforeAll(async () => {
  shop = await startShop();
  directory = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-prism-"));
});

afterAll(async () => {
  for (const child of proxies) child.kill();
  await shop?.close();
  if (directory) await fs.rm(directory, { recursive: true, force: true });
});

describe("Prism in front of the shop", () => {
  test("flags nothing on a full journey, bad requests included", async () => {
    const document = path.join(directory, "openapi.json");
    const served = await shop.client.call("GET", "/openapi.json");
    await fs.writeFile(document, JSON.stringify(served.body));
    const [strict, answersOnly] = await Promise.all([
      startPrism(document, { validateRequests: true }),
      startPrism(document, { validateRequests: false }),
    ]);
    const check = async (
      client: ShopClient,
      method: string,
      url: string,
      options: Parameters<ShopClient["call"]>[2] & { status: number },
    ) => {
      const answer = await client.call(method, url, options);
      expectConforming(answer, `${method} ${url}`);
      expect(answer.status, `${method} ${url}`).toBe(options.status);
      return answer.body;
    };

    // The journey, through the strict proxy.
    const admin = await shop.client.adminToken();
    const session = await check(strict, "POST", "/api/auth/register", {
      body: { email: `prism-${Date.now()}@example.com`, password: "correct horse battery", name: "Prism" },
      status: 201,
    });
    const token = session.accessToken as string;
    await check(strict, "POST", "/api/auth/login", {
      body: { email: "admin@mercato.local", password: "mercato-admin" },
      status: 200,
    });
    await check(strict, "POST", "/api/auth/refresh", {
      body: { refreshToken: session.refreshToken },
      status: 200,
    });
    await check(strict, "GET", "/api/me", { token, status: 200 });
    await check(strict, "GET", "/.well-known/jwks.json", { status: 200 });
    const product = await check(strict, "POST", "/api/products", {
      token: admin,
      body: {
        sku: "PRISM-1",
        name: "Prism lamp",
        category: "Lamps",
        price: { amount: 4200, currency: "EUR" },
      },
      status: 201,
    });
    await check(strict, "PATCH", `/api/products/${product.id}`, {
      token: admin,
      body: { name: "Prism lamp, large" },
      status: 200,
    });
    // Prism forwards a binary body re-encoded as UTF-8 text, so the shop sees no PNG: through it the
    // upload checks the request and the (declared) 415; the image itself goes to the shop directly.
    const upload = (url: string) =>
      fetch(`${url}/api/products/${product.id}/images`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "image/png" },
        body: productPng({ sku: "PRISM-1", category: "Lamps" }),
      });
    const mangled = await upload(strict.url);
    const mangledBody = await mangled.json();
    expectConforming({ status: mangled.status, headers: mangled.headers, body: mangledBody }, "image upload");
    expect(mangled.status, JSON.stringify(mangledBody)).toBe(415);
    expect((await upload(shop.client.url)).status).toBe(201);
    await check(strict, "PUT", "/api/inventory/PRISM-1", { token: admin, body: { onHand: 5 }, status: 200 });
    await check(strict, "GET", "/api/inventory/PRISM-1", { token: admin, status: 200 });
    await expect
      .poll(async () => (await strict.call("GET", `/api/products/${product.id}`)).body.inStock)
      .toBe(true);
    await check(strict, "GET", "/api/products?limit=5", { status: 200 });
    await check(strict, "GET", "/api/products?q=lamp&sort=price_asc", { status: 200 });
    await check(strict, "GET", "/api/categories", { status: 200 });
    await check(strict, "GET", `/api/products/${product.id}`, { status: 200 });
    await expect
      .poll(
        async () =>
          (
            await strict.call("POST", "/api/cart/items", {
              token,
              body: { productId: product.id, quantity: 2 },
            })
          ).status,
      )
      .toBe(200);
    await check(strict, "PATCH", `/api/cart/items/${product.id}`, {
      token,
      body: { quantity: 1 },
      status: 200,
    });
    await check(strict, "GET", "/api/cart", { token, status: 200 });
    const order = await check(strict, "POST", "/api/orders", {
      token,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { shippingAddress: address, payment: { token: "tok_visa" } },
      status: 202,
    });
    await check(strict, "GET", "/api/orders", { token, status: 200 });
    await check(strict, "GET", `/api/orders/${order.id}`, { token, status: 200 });
    await check(strict, "GET", `/api/orders/${order.id}/timeline`, { token, status: 200 });
    await check(strict, "POST", `/api/orders/${order.id}/cancel`, { token, status: 202 });
    await check(strict, "DELETE", `/api/cart/items/${product.id}`, { token, status: 200 });
    await check(strict, "DELETE", "/api/cart", { token, status: 204 });
    // After checkout: an admin ships and delivers, the customer returns a unit, an admin receives it.
    await check(strict, "POST", "/api/cart/items", {
      token,
      body: { productId: product.id, quantity: 2 },
      status: 200,
    });
    const bought = await check(strict, "POST", "/api/orders", {
      token,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { shippingAddress: address, payment: { token: "tok_visa" } },
      status: 202,
    });
    await strict.orderReaching(token, bought.id, ["confirmed"]);
    await check(strict, "POST", `/api/orders/${bought.id}/ship`, {
      token: admin,
      body: { carrier: "DHL", trackingNumber: "JJD0001" },
      status: 200,
    });
    await check(strict, "POST", `/api/orders/${bought.id}/deliver`, { token: admin, status: 200 });
    // The ship body is optional: a request without one passes the strict proxy (and is refused by
    // the shop only because the order is delivered).
    await check(strict, "POST", `/api/orders/${bought.id}/ship`, { token: admin, status: 409 });
    const returned = await check(strict, "POST", `/api/orders/${bought.id}/returns`, {
      token,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "Too bright" },
      status: 202,
    });
    await check(strict, "POST", `/api/returns/${returned.id}/receive`, { token: admin, status: 200 });
    // A replay (a second scan of the parcel) answers the received return again.
    await check(strict, "POST", `/api/returns/${returned.id}/receive`, { token: admin, status: 200 });
    const queues = await check(strict, "GET", "/api/ops/queues", { token: admin, status: 200 });
    const queue = queues.items[0].name as string;
    await check(strict, "GET", `/api/ops/queues/${queue}/dlq`, { token: admin, status: 200 });
    await check(strict, "GET", "/api/ops/rules", { token: admin, status: 200 });
    await check(strict, "GET", "/api/ops/events?limit=5", { token: admin, status: 200 });
    await check(strict, "POST", "/api/ops/test-event-pattern", {
      token: admin,
      body: { eventPattern: { source: ["mercato.orders"] }, event: { source: "mercato.orders" } },
      status: 200,
    });
    await check(strict, "GET", "/health/live", { status: 200 });
    await check(strict, "GET", "/health/ready", { status: 200 });

    // Bad requests, through the proxy that checks the answers only.
    await check(answersOnly, "POST", "/api/auth/login", { rawBody: '{"email": ', status: 400 });
    await check(answersOnly, "POST", "/api/cart/items", {
      token,
      body: { productId: 42, quantity: "two" },
      status: 400,
    });
    await check(answersOnly, "GET", "/api/products?limit=zero", { status: 400 });
    // Every route, even one that takes no input, refuses control characters in the query string.
    await check(answersOnly, "GET", "/health/live?probe=%01", { status: 400 });
    await check(answersOnly, "GET", "/api/products/no-such-product", { status: 404 });
    await check(answersOnly, "GET", "/api/orders/no-such-order", { token, status: 404 });
    await check(answersOnly, "POST", "/api/cart/items", {
      token,
      body: { productId: "no-such-product", quantity: 1 },
      status: 404,
    });
    // No token at all: Prism itself refuses, as the document says a token is needed (its security
    // check runs even with --validate-request=false). A bad token reaches the shop, which answers 401.
    const anonymous = await answersOnly.call("GET", "/api/cart");
    expect([anonymous.status, anonymous.body.type]).toEqual([
      401,
      "https://stoplight.io/prism/errors#UNAUTHORIZED",
    ]);
    await check(answersOnly, "GET", "/api/cart", { token: "not-a-token", status: 401 });
    await check(answersOnly, "GET", "/api/ops/queues", { token: "not-a-token", status: 401 });
    await check(answersOnly, "POST", "/api/products", {
      token,
      body: { sku: "PRISM-2", name: "x", category: "x", price: { amount: 1, currency: "EUR" } },
      status: 403,
    });
    await check(answersOnly, "POST", "/api/auth/login", {
      body: { email: "admin@mercato.local", password: "wrong password" },
      status: 401,
    });
    await check(answersOnly, "POST", "/api/auth/register", {
      body: { email: "admin@mercato.local", password: "correct horse battery", name: "Again" },
      status: 409,
    });
    await check(answersOnly, "POST", `/api/orders/${order.id}/deliver`, { token: admin, status: 409 });
    await check(answersOnly, "POST", `/api/orders/${bought.id}/ship`, {
      token: admin,
      body: { carrier: 42, courier: "x" },
      status: 400,
    });
    await check(answersOnly, "POST", "/api/orders/no-such-order/ship", {
      token: admin,
      body: {},
      status: 404,
    });
    await check(answersOnly, "POST", `/api/orders/${bought.id}/returns`, {
      token,
      rawBody: '{"items": [',
      status: 400,
    });
    await check(answersOnly, "POST", `/api/orders/${bought.id}/returns`, {
      token,
      body: { items: [{ productId: product.id, quantity: 5 }], reason: "All of them" },
      status: 422,
    });
    await check(answersOnly, "POST", `/api/orders/${order.id}/returns`, {
      token,
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "Never came" },
      status: 409,
    });
    // Only the buyer returns: anyone else, an admin included, learns nothing of the order.
    await check(answersOnly, "POST", `/api/orders/${bought.id}/returns`, {
      token: admin,
      body: { items: [{ productId: product.id, quantity: 1 }], reason: "Not mine" },
      status: 404,
    });
    await check(answersOnly, "POST", "/api/returns/no-such-return/receive", { token: admin, status: 404 });
    await check(answersOnly, "POST", "/api/orders", {
      token,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { shippingAddress: address, payment: { token: "tok_visa" } },
      status: 422,
    });
    await check(answersOnly, "GET", "/api/ops/queues", { token, status: 403 });
    await check(answersOnly, "GET", "/api/ops/queues/no-such-queue/dlq", { token: admin, status: 404 });
    await check(answersOnly, "POST", "/api/products", {
      token: admin,
      headers: { "content-type": "text/plain" },
      rawBody: "sku=x",
      status: 415,
    });
  });
});
