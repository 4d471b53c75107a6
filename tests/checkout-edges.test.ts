import { ordersService } from "@mercato/orders";
import { configureService } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceCatalog } from "../apps/cli/src/services.ts";
import { type Answer, address, type ShopClient, startShop } from "./support/shop.ts";

/**
 * The checkout saga's edges over HTTP on the embedded platform: what a client gets wrong, what
 * the order's status forbids, and what happens when a service it depends on is missing.
 */

type Shop = Awaited<ReturnType<typeof startShop>>;

const validOrder = { shippingAddress: address, payment: { token: "tok_visa" } };

type AnyService = ReturnType<(typeof serviceCatalog)[number]["create"]>;

/** The services of the catalog named, in its order, with `orders` built as given. */
function servicesWith(names: string[], orders: AnyService): AnyService[] {
  return serviceCatalog
    .filter((entry) => names.includes(entry.name))
    .map((entry) => (entry.name === "orders" ? orders : entry.create()));
}

const allBut = (name: string) => serviceCatalog.map((entry) => entry.name).filter((other) => other !== name);

/** Enough to sign in and check out: a host starts faster with fewer databases to migrate. */
const checkoutOnly = ["gateway", "identity", "orders"];

function expectProblem(answer: Answer, status: number, detail?: RegExp | string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//) });
  if (detail !== undefined) expect(answer.body.detail).toMatch(detail);
}

async function timeline(client: ShopClient, token: string, orderId: string) {
  const answer = await client.call("GET", `/api/orders/${orderId}/timeline`, { token });
  expect(answer.status).toBe(200);
  return answer.body.items as { type: string; at: string; detail: Record<string, unknown> }[];
}

async function timelineTypes(client: ShopClient, token: string, orderId: string): Promise<string[]> {
  return (await timeline(client, token, orderId)).map((item) => item.type);
}

async function orderIds(client: ShopClient, token: string): Promise<string[]> {
  const list = await client.call("GET", "/api/orders?limit=100", { token });
  expect(list.status).toBe(200);
  return list.body.items.map((order: { id: string }) => order.id);
}

describe("checkout edges with every service", () => {
  let shop: Shop;
  let client: ShopClient;
  let admin: string;
  let skuCounter = 0;
  const newSku = () => `EDGE-${++skuCounter}`;

  beforeAll(async () => {
    shop = await startShop();
    client = shop.client;
    admin = await client.adminToken();
  });

  afterAll(async () => {
    await shop?.close();
  });

  /** An order of `quantity` units of a fresh product, confirmed, shipped and delivered. */
  async function deliveredOrder(token: string, quantity: number) {
    const product = await client.stockedProduct({ sku: newSku(), price: 1000, onHand: 10 });
    await client.addToCart(token, product.id, quantity);
    const placed = await client.checkout(token);
    expect(placed.status).toBe(202);
    const orderId: string = placed.body.id;
    await client.orderReaching(token, orderId, ["confirmed"]);
    expect((await client.call("POST", `/api/orders/${orderId}/ship`, { token: admin })).status).toBe(200);
    expect((await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin })).status).toBe(200);
    return { orderId, product };
  }

  it("refuses malformed checkouts with a precise problem, orders nothing, and keeps the key unused", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 1200, onHand: 5 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);
    const key = { "idempotency-key": `edge-${crypto.randomUUID()}` };
    const post = (options: Parameters<ShopClient["call"]>[2]) => client.call("POST", "/api/orders", options);

    const anonymous = await post({ headers: key, body: validOrder });
    expectProblem(anonymous, 401, "Sign in: this needs an access token");
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    expectProblem(
      await post({ headers: { ...key, authorization: "Bearer not-a-token" }, body: validOrder }),
      401,
    );
    // The token is checked before the body is read: strangers learn nothing from a 400.
    expectProblem(await post({ rawBody: '{"shippingAddress": {' }), 401);
    expectProblem(await post({ body: { coupon: "FREE" } }), 401);

    const keyless = await post({ token: buyer.token, body: validOrder });
    expectProblem(keyless, 400);
    expect(keyless.body.errors).toEqual([
      { path: "headers.idempotency-key", message: "Idempotency-Key header is required" },
    ]);
    const spacedKey = await post({
      token: buyer.token,
      headers: { "idempotency-key": "two words" },
      body: validOrder,
    });
    expect(spacedKey.body.errors).toEqual([
      { path: "headers.idempotency-key", message: "must be printable ASCII without spaces" },
    ]);

    const malformed = await post({ token: buyer.token, headers: key, rawBody: '{"shippingAddress": {' });
    expectProblem(malformed, 400, /^The body is not valid JSON/);
    expect(malformed.body.type).toBe("https://mercato.dev/problems/malformed-json");

    const wrongTypes = await post({
      token: buyer.token,
      headers: key,
      body: { shippingAddress: { ...address, country: "GBR" }, payment: { token: 4242 } },
    });
    expectProblem(wrongTypes, 400, "The request is invalid: 2 problems, listed in errors");
    expect(wrongTypes.body.errors).toEqual([
      { path: "body.shippingAddress.country", message: "must be an ISO 3166-1 alpha-2 code like DE" },
      { path: "body.payment.token", message: expect.stringMatching(/expected string, received number/) },
    ]);

    const missing = await post({
      token: buyer.token,
      headers: key,
      body: { shippingAddress: { name: "Ada", line1: "   " } },
    });
    expectProblem(missing, 400);
    expect(missing.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      "body.payment",
      "body.shippingAddress.city",
      "body.shippingAddress.country",
      "body.shippingAddress.line1",
      "body.shippingAddress.postalCode",
    ]);

    const unknownFields = await post({
      token: buyer.token,
      headers: key,
      body: { ...validOrder, shippingAddress: { ...address, floor: 3 }, coupon: "FREE" },
    });
    expectProblem(unknownFields, 400);
    expect(unknownFields.body.errors).toEqual([
      { path: "body.shippingAddress", message: 'Unrecognized key: "floor"' },
      { path: "body", message: 'Unrecognized key: "coupon"' },
    ]);

    const huge = await post({
      token: buyer.token,
      headers: key,
      body: { ...validOrder, shippingAddress: { ...address, line2: "x".repeat(5000) } },
    });
    expectProblem(huge, 413, "The request body is larger than the limit of 4096 bytes");

    const plainText = await post({
      token: buyer.token,
      headers: { ...key, "content-type": "text/plain" },
      rawBody: JSON.stringify(validOrder),
    });
    expectProblem(plainText, 415, 'Content-Type "text/plain" is not accepted here; send application/json');

    expect((await client.call("GET", "/api/orders", { token: buyer.token })).body).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(await client.stock(product.sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });

    // None of the refused requests took the key: the first valid one places the order.
    const placed = await post({ token: buyer.token, headers: key, body: validOrder });
    expect(placed.status).toBe(202);
    expect(await orderIds(client, buyer.token)).toEqual([placed.body.id]);
  });

  it("refuses to deliver before shipping or ship twice, delivers twice as once, and never cancels a rejected order", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 900, onHand: 5 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);

    const declined = await client.checkout(buyer.token, { paymentToken: "tok_declined" });
    const rejected = await client.orderReaching(buyer.token, declined.body.id, ["rejected", "confirmed"]);
    expect(rejected).toMatchObject({ status: "rejected", statusReason: "payment_declined" });
    for (const token of [buyer.token, admin]) {
      expectProblem(
        await client.call("POST", `/api/orders/${rejected.id}/cancel`, { token }),
        409,
        `Order ${rejected.id} is rejected and can no longer be cancelled (only pending or confirmed orders can)`,
      );
    }
    expectProblem(await client.call("POST", `/api/orders/${rejected.id}/ship`, { token: admin }), 409);
    expectProblem(
      await client.call("POST", `/api/orders/${rejected.id}/ship`, {
        token: buyer.token,
        body: { carrier: 7 },
      }),
      403,
      "This needs the admin role",
    );
    expect(
      (await client.call("GET", `/api/orders/${rejected.id}`, { token: buyer.token })).body,
    ).toMatchObject({ status: "rejected", statusReason: "payment_declined", updatedAt: rejected.updatedAt });

    const placed = await client.checkout(buyer.token);
    const orderId: string = placed.body.id;
    await client.orderReaching(buyer.token, orderId, ["confirmed"]);
    expectProblem(
      await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin }),
      409,
      `Order ${orderId} is confirmed; only a shipped order can be delivered`,
    );

    const shipped = await client.call("POST", `/api/orders/${orderId}/ship`, {
      token: admin,
      body: { carrier: "DHL" },
    });
    expect(shipped.status).toBe(200);
    expectProblem(
      await client.call("POST", `/api/orders/${orderId}/ship`, { token: admin, body: { carrier: "UPS" } }),
      409,
      `Order ${orderId} is shipped; only a confirmed order can be shipped`,
    );

    const delivered = await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin });
    expect(delivered.status).toBe(200);
    expect(delivered.body.status).toBe("delivered");
    const again = await client.call("POST", `/api/orders/${orderId}/deliver`, { token: admin });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(delivered.body);
    const types = await timelineTypes(client, buyer.token, orderId);
    expect(types.filter((type) => type === "OrderShipped")).toHaveLength(1);
    expect(types.filter((type) => type === "OrderDelivered")).toHaveLength(1);
    expect(types.at(-1)).toBe("OrderDelivered");
  });

  it("refuses bad returns, keeps one return per Idempotency-Key, and receives a return once", async () => {
    const buyer = await client.register();
    const stranger = await client.register();
    const { orderId, product } = await deliveredOrder(buyer.token, 3);
    const returns = `/api/orders/${orderId}/returns`;
    const one = { items: [{ productId: product.id, quantity: 1 }], reason: "scratched" };

    expectProblem(await client.call("POST", returns, { token: stranger.token, body: one }), 404);
    expectProblem(await client.call("POST", returns, { token: admin, body: one }), 404);

    const unknownProduct = crypto.randomUUID();
    expectProblem(
      await client.call("POST", returns, {
        token: buyer.token,
        body: { items: [{ productId: unknownProduct, quantity: 1 }], reason: "not mine" },
      }),
      422,
      `Product ${unknownProduct} is not part of order ${orderId}`,
    );
    for (const quantity of [0, 100, 1.5]) {
      const answer = await client.call("POST", returns, {
        token: buyer.token,
        body: { items: [{ productId: product.id, quantity }], reason: "odd" },
      });
      expectProblem(answer, 400);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual([
        "body.items.0.quantity",
      ]);
    }
    for (const [body, path] of [
      [{ items: one.items }, "body.reason"],
      [{ ...one, reason: "   " }, "body.reason"],
      [{ items: [], reason: "nothing" }, "body.items"],
    ] as const) {
      const answer = await client.call("POST", returns, { token: buyer.token, body });
      expectProblem(answer, 400);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
    }
    expect(await timelineTypes(client, buyer.token, orderId)).not.toContain("ReturnRequested");

    // The same request sent at once, as a client retrying over a flaky network would: one return.
    const key = { "idempotency-key": `return-${crypto.randomUUID()}` };
    const sendOne = () => client.call("POST", returns, { token: buyer.token, headers: key, body: one });
    const [first, ...repeats] = await Promise.all([sendOne(), sendOne(), sendOne()]);
    expect(first?.status, JSON.stringify(first?.body)).toBe(202);
    expect(first?.body).toMatchObject({
      orderId,
      status: "requested",
      refund: { amount: 1000, currency: "EUR" },
    });
    for (const repeat of repeats) {
      expect(repeat.status, JSON.stringify(repeat.body)).toBe(202);
      expect(repeat.body).toEqual(first?.body);
    }
    const replay = await client.call("POST", returns, {
      token: buyer.token,
      headers: key,
      body: { reason: "scratched", items: [{ quantity: 1, productId: product.id }] },
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first?.body);
    expectProblem(
      await client.call("POST", returns, {
        token: buyer.token,
        headers: key,
        body: { ...one, items: [{ productId: product.id, quantity: 2 }] },
      }),
      409,
      /Idempotency-Key/,
    );
    expect(
      (await timelineTypes(client, buyer.token, orderId)).filter((type) => type === "ReturnRequested"),
    ).toHaveLength(1);

    // Racing copies of a return of every unit left: the losers answer as the winner, not 422.
    const restKey = { "idempotency-key": `return-${crypto.randomUUID()}` };
    const rest = { items: [{ productId: product.id, quantity: 2 }], reason: "the other two" };
    const sendRest = () => client.call("POST", returns, { token: buyer.token, headers: restKey, body: rest });
    const restAnswers = await Promise.all([sendRest(), sendRest(), sendRest()]);
    for (const answer of restAnswers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      expect(answer.body).toEqual(restAnswers[0]?.body);
    }
    expect(
      (await timelineTypes(client, buyer.token, orderId)).filter((type) => type === "ReturnRequested"),
    ).toHaveLength(2);

    const receive = `/api/returns/${first?.body.id}/receive`;
    expectProblem(
      await client.call("POST", `/api/returns/${crypto.randomUUID()}/receive`, { token: admin }),
      404,
    );
    expectProblem(await client.call("POST", "/api/returns/not-a-return/receive", { token: admin }), 404);
    expectProblem(
      await client.call("POST", receive, { token: buyer.token }),
      403,
      "This needs the admin role",
    );
    expectProblem(await client.call("POST", returns, { body: { items: [] } }), 401);

    // Two admins scanning the same parcel at once, then one of them again later.
    const received = await Promise.all([
      client.call("POST", receive, { token: admin }),
      client.call("POST", receive, { token: admin }),
    ]);
    for (const answer of received) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: first?.body.id, status: "received" });
    }
    const later = await client.call("POST", receive, { token: admin });
    expect(later.status).toBe(200);
    expect(later.body.id).toBe(first?.body.id);
    expect(["received", "refunded"]).toContain(later.body.status);

    await expect
      .poll(async () => (await timelineTypes(client, buyer.token, orderId)).includes("PaymentRefunded"))
      .toBe(true);
    const types = await timelineTypes(client, buyer.token, orderId);
    expect(types.filter((type) => type === "ReturnReceived")).toHaveLength(1);
    expect(types.filter((type) => type === "PaymentRefunded")).toHaveLength(1);
    // Restocked once: 10 on hand, 3 sold, 1 back.
    await expect.poll(() => client.stock(product.sku)).toMatchObject({ onHand: 8, reserved: 0 });
    expect((await client.call("GET", `/api/orders/${orderId}`, { token: buyer.token })).body.status).toBe(
      "delivered",
    );
  });

  it("lists a customer's orders by status and page by page, and refuses bad list queries", async () => {
    const product = await client.stockedProduct({ sku: newSku(), price: 500, onHand: 20 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 1);

    // Declined orders leave the cart as it was; a confirmed one empties it.
    const declined: string[] = [];
    for (let index = 0; index < 2; index++) {
      const placed = await client.checkout(buyer.token, { paymentToken: "tok_declined" });
      await client.orderReaching(buyer.token, placed.body.id, ["rejected"]);
      declined.push(placed.body.id);
    }
    const confirmed: string[] = [];
    for (let index = 0; index < 3; index++) {
      if (index > 0) {
        await expect
          .poll(async () => (await client.call("GET", "/api/cart", { token: buyer.token })).body.items)
          .toEqual([]);
        await client.addToCart(buyer.token, product.id, 1);
      }
      const placed = await client.checkout(buyer.token);
      await client.orderReaching(buyer.token, placed.body.id, ["confirmed"]);
      confirmed.push(placed.body.id);
    }
    const newestFirst = [...declined, ...confirmed].reverse();
    expect(await orderIds(client, buyer.token)).toEqual(newestFirst);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : "limit=2";
      const page = await client.call("GET", `/api/orders?${query}`, { token: buyer.token });
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((order: { id: string }) => order.id));
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(newestFirst);

    const byStatus = async (query: string) => {
      const answer = await client.call("GET", `/api/orders?${query}`, { token: buyer.token });
      expect(answer.status).toBe(200);
      return answer.body as { items: { id: string; status: string }[]; nextCursor: string | null };
    };
    expect((await byStatus("status=rejected")).items.map((order) => order.id)).toEqual(
      [...declined].reverse(),
    );
    expect((await byStatus("status=confirmed")).items.map((order) => order.id)).toEqual(
      [...confirmed].reverse(),
    );
    expect((await byStatus("status=shipped")).items).toEqual([]);
    const firstRejected = await byStatus("status=rejected&limit=1");
    expect(firstRejected.items.map((order) => order.id)).toEqual([declined[1]]);
    const secondRejected = await byStatus(`status=rejected&limit=1&cursor=${firstRejected.nextCursor}`);
    expect(secondRejected).toEqual({
      items: [expect.objectContaining({ id: declined[0] })],
      nextCursor: null,
    });

    const foreignCursor = Buffer.from(JSON.stringify({ page: 2 })).toString("base64url");
    for (const cursorValue of ["not*a*cursor", foreignCursor]) {
      const answer = await client.call("GET", `/api/orders?cursor=${cursorValue}`, { token: buyer.token });
      expectProblem(answer, 400, "The cursor is not one this list handed out; start again without it");
      expect(answer.body.errors).toEqual([{ path: "query.cursor", message: expect.any(String) }]);
    }
    for (const [query, path] of [
      ["limit=0", "query.limit"],
      ["limit=101", "query.limit"],
      ["limit=ten", "query.limit"],
      ["status=lost", "query.status"],
    ]) {
      const answer = await client.call("GET", `/api/orders?${query}`, { token: buyer.token });
      expectProblem(answer, 400);
      expect(
        answer.body.errors.map((error: { path: string }) => error.path),
        query,
      ).toEqual([path]);
    }
  });
});

describe("checkout when payments never answers", () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await startShop({
      services: servicesWith(
        allBut("payments"),
        configureService(ordersService, { settings: { paymentTimeoutMs: 1_000 } }),
      ),
    });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("rejects the order with payment_timeout after the deadline and releases its stock", async () => {
    const { client } = shop;
    const product = await client.stockedProduct({ sku: "TIMEOUT-1", price: 1500, onHand: 3 });
    const buyer = await client.register();
    await client.addToCart(buyer.token, product.id, 2);
    const placed = await client.checkout(buyer.token);
    expect(placed.status).toBe(202);
    expect(placed.body.status).toBe("pending");

    const order = await client.orderReaching(buyer.token, placed.body.id, ["rejected", "confirmed"]);
    expect(order).toMatchObject({ status: "rejected", statusReason: "payment_timeout" });
    await expect
      .poll(() => client.stock(product.sku))
      .toEqual({ sku: product.sku, onHand: 3, reserved: 0, available: 3 });

    const events = await timeline(client, buyer.token, order.id);
    expect(events.map((event) => event.type)).toEqual([
      "OrderPlaced",
      "StockReserved",
      "PaymentRequested",
      "OrderRejected",
    ]);
    const [, , requested, rejected] = events;
    const deadline = Date.parse(String(requested?.detail.deadline));
    expect(deadline - Date.parse(String(requested?.at))).toBe(1_000);
    expect(Date.parse(String(rejected?.at))).toBeGreaterThanOrEqual(deadline);
    expect(rejected?.detail).toEqual({ reason: "payment_timeout" });

    // The rejected order leaves the cart as it was, and can no longer be cancelled.
    const cart = await client.call("GET", "/api/cart", { token: buyer.token });
    expect(cart.body.items).toMatchObject([{ productId: product.id, quantity: 2 }]);
    expectProblem(await client.call("POST", `/api/orders/${order.id}/cancel`, { token: buyer.token }), 409);
  });
});

describe("checkout when cart is not running", () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await startShop({ services: servicesWith(checkoutOnly, ordersService) });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("answers 503 and orders nothing", async () => {
    const { client } = shop;
    const buyer = await client.register();
    const key = crypto.randomUUID();
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await client.checkout(buyer.token, { key });
      expectProblem(answer, 503, /^Checkout is unavailable: the cart service refused the snapshot \(404\)/);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect((await client.call("GET", "/api/orders", { token: buyer.token })).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});

describe("checkout when cart's address answers nothing", () => {
  let shop: Shop;
  const cartCalls = async (client: ShopClient): Promise<number> => {
    const metrics = await (await fetch(new URL("/metrics", client.url))).text();
    const failed = /^mercato_orders_cart_calls_total\{[^}]*outcome="failed"[^}]*\} (\d+)$/m.exec(metrics);
    return Number(failed?.[1] ?? 0);
  };

  beforeAll(async () => {
    shop = await startShop({
      services: servicesWith(
        checkoutOnly,
        configureService(ordersService, { settings: { cartUrl: "http://127.0.0.1:1" } }),
      ),
    });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("answers 503, then opens the breaker and answers at once without calling cart", async () => {
    const { client } = shop;
    const buyer = await client.register();

    const first = await client.checkout(buyer.token);
    expectProblem(first, 503, /^Checkout is unavailable: the cart service did not answer/);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await cartCalls(client)).toBe(3);

    let failures = 1;
    let answer = first;
    while (!/keeps failing/.test(answer.body.detail) && failures < 10) {
      answer = await client.checkout(buyer.token);
      expectProblem(answer, 503);
      failures += 1;
    }
    expect(failures).toBeLessThanOrEqual(6);
    expect(answer.body.detail).toBe(
      "Checkout is unavailable: the cart service keeps failing; try again shortly",
    );
    expect(answer.headers.get("retry-after")).toBe("5");

    const callsWhenOpened = await cartCalls(client);
    // At once: the open breaker answers without a call to cart (counted below, not timed).
    for (let attempt = 0; attempt < 3; attempt++) {
      const fast = await client.checkout(buyer.token);
      expectProblem(fast, 503, /keeps failing/);
      expect(fast.headers.get("retry-after")).toBe("5");
    }
    expect(await cartCalls(client)).toBe(callsWhenOpened);
    expect((await client.call("GET", "/api/orders", { token: buyer.token })).body.items).toEqual([]);
  });
});
