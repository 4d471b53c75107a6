import { configureService, type Host, type ServiceContext } from "@mercato/platform";
import { requireServer, startTestHost, type TestAuthority, type TestHost } from "@mercato/platform/testing";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliverOrder,
  paymentAuthorized,
  placeOrder,
  shipOrder,
  stockReserved,
} from "../src/domain/decisions.ts";
import type { Order, OrderEvent } from "../src/domain/order.ts";
import { type OrdersTables, ordersService, readStream } from "../src/index.ts";
import { changeOrder, startOrder } from "../src/store/order-stream.ts";

const available = await requireServer("postgres");

/**
 * Copies of one command sent at the same time, on PostgreSQL where their transactions really
 * overlap (PGlite runs one at a time): each business fact is recorded once, and every copy gets
 * the answer a lone request would.
 */
describe.skipIf(!available)("concurrent commands on one order, on PostgreSQL", () => {
  let test: TestHost;
  let host: Host;
  let context: ServiceContext<OrdersTables>;
  let authority: TestAuthority;

  beforeAll(async () => {
    test = await startTestHost({
      services: [configureService(ordersService, { settings: { cartUrl: "http://127.0.0.1:1" } })],
      distributed: "database",
    });
    ({ host } = test);
    context = test.context<OrdersTables>();
    authority = test.authority as TestAuthority;
  });

  afterAll(async () => {
    await test?.close();
  });

  const call = async (method: string, url: string, token: string, body?: unknown, key?: string) => {
    const response = await fetch(new URL(url, host.url), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(key ? { "idempotency-key": key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
    return { status: response.status, body: (await response.json()) as any };
  };

  /** An order of three units of one product, taken through the saga straight in its stream. */
  async function deliveredOrder(userId: string): Promise<{ orderId: string; productId: string }> {
    const orderId = uuidv7();
    const productId = uuidv7();
    const unitPrice = { amount: 1000, currency: "EUR" };
    const steps: ((order: Order) => OrderEvent[])[] = [
      (order) => stockReserved(order, new Date(Date.now() + 600_000).toISOString(), new Date(), 30_000),
      (order) => paymentAuthorized(order, uuidv7()),
      (order) => shipOrder(order, { carrier: null, trackingNumber: null }),
      deliverOrder,
    ];
    await context.db.transaction().execute(async (transaction) => {
      const placing = placeOrder({
        userId,
        items: [
          {
            productId,
            sku: "RACE-1",
            name: "Kettle",
            quantity: 3,
            unitPrice,
            lineTotal: { ...unitPrice, amount: 3000 },
          },
        ],
        shippingAddress: { name: "Ada", line1: "1 Road", city: "London", postalCode: "N1", country: "GB" },
        cartVersion: `1:${orderId}`,
      });
      await startOrder(transaction, orderId, placing, new Date());
      for (const step of steps) await changeOrder(transaction, orderId, step);
    });
    return { orderId, productId };
  }

  const countOf = async (orderId: string, type: string) =>
    (await readStream(context.db, orderId)).filter((event) => event.type === type).length;

  it("answers every copy of a return with the one return they asked for", async () => {
    const userId = uuidv7();
    const customer = await authority.token({ id: userId });
    const { orderId, productId } = await deliveredOrder(userId);
    const returns = `/api/orders/${orderId}/returns`;

    // One unit: the copies that lose the race would find the key taken.
    const oneKey = uuidv7();
    const one = { items: [{ productId, quantity: 1 }], reason: "scratched" };
    const ones = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", returns, customer, one, oneKey)),
    );
    // The two units left: the losers would find no unit left to return.
    const restKey = uuidv7();
    const rest = { items: [{ productId, quantity: 2 }], reason: "the others" };
    const rests = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", returns, customer, rest, restKey)),
    );

    for (const answers of [ones, rests]) {
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
        expect(answer.body).toEqual(answers[0]?.body);
      }
    }
    expect(ones[0]?.body.items).toMatchObject([{ productId, quantity: 1 }]);
    expect(rests[0]?.body.items).toMatchObject([{ productId, quantity: 2 }]);
    expect(await countOf(orderId, "ReturnRequested")).toBe(2);

    const otherBody = await call("POST", returns, customer, { ...one, reason: "another reason" }, oneKey);
    expect(otherBody.status).toBe(409);
  });

  it("receives a return scanned by several admins at once once", async () => {
    const userId = uuidv7();
    const admin = await authority.token({ roles: ["admin"] });
    const { orderId, productId } = await deliveredOrder(userId);
    const asked = await call(
      "POST",
      `/api/orders/${orderId}/returns`,
      await authority.token({ id: userId }),
      { items: [{ productId, quantity: 3 }], reason: "all of them" },
    );
    expect(asked.status).toBe(202);

    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", `/api/returns/${asked.body.id}/receive`, admin)),
    );
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ id: asked.body.id, status: "received" });
    }
    expect(await countOf(orderId, "ReturnReceived")).toBe(1);
    const order = await call("GET", `/api/orders/${orderId}`, admin);
    expect(order.body.status).toBe("returned");
  });
});
