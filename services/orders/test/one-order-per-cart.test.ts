import { configureService, type Host, type ServiceContext } from "@mercato/platform";
import { requireServer, startTestHost, type TestAuthority, type TestHost } from "@mercato/platform/testing";
import { sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentAuthorized, stockReservationFailed, stockReserved } from "../src/domain/decisions.ts";
import type { Order, OrderEvent } from "../src/domain/order.ts";
import { type OrdersTables, ordersService } from "../src/index.ts";
import { changeOrder } from "../src/store/order-stream.ts";
import { type FakeCart, line, startFakeCart } from "./fake-cart.ts";

const topologies = [
  { name: "PGlite", postgres: false, available: true },
  { name: "PostgreSQL", postgres: true, available: await requireServer("postgres") },
];

const body = {
  shippingAddress: { name: "Ada", line1: "1 Road", city: "London", postalCode: "N1", country: "GB" },
  payment: { token: "tok_visa" },
};

/**
 * One order per cart version, whatever the Idempotency-Key: copies of a checkout sent at once
 * (on PostgreSQL their transactions really overlap) or later answer with the first order while
 * it is live; a changed cart, or a cart whose order was rejected or cancelled, orders again.
 */
describe.each(topologies)("one order per cart version on $name", ({ postgres, available }) => {
  describe.skipIf(!available)("", () => {
    let test: TestHost;
    let host: Host;
    let context: ServiceContext<OrdersTables>;
    let authority: TestAuthority;
    let cart: FakeCart;

    beforeAll(async () => {
      cart = await startFakeCart();
      test = await startTestHost({
        services: [configureService(ordersService, { settings: { cartUrl: cart.url } })],
        ...(postgres ? { distributed: "database" as const } : {}),
      });
      ({ host } = test);
      context = test.context<OrdersTables>();
      authority = test.authority as TestAuthority;
    });

    afterAll(async () => {
      await test?.close();
      await cart?.close();
    });

    const checkout = async (token: string, key = uuidv7()) => {
      const response = await fetch(new URL("/api/orders", host.url), {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
      return { status: response.status, body: (await response.json()) as any };
    };

    const ordersOf = async (userId: string) => {
      const result = await sql<{ id: string; status: string }>`
        SELECT id, status FROM orders WHERE user_id = ${userId} ORDER BY created_at, id
      `.execute(context.db);
      return result.rows;
    };

    const decide = (orderId: string, step: (order: Order) => OrderEvent[]) =>
      context.db.transaction().execute((transaction) => changeOrder(transaction, orderId, step));

    async function customer() {
      const id = uuidv7();
      return { id, token: await authority.token({ id }) };
    }

    it("places exactly one order for five simultaneous checkouts with five keys", async () => {
      const buyer = await customer();
      cart.set(buyer.token, { revision: 3, items: [line(uuidv7(), 2), line(uuidv7(), 1)] });

      const answers = await Promise.all(Array.from({ length: 5 }, () => checkout(buyer.token)));

      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
        expect(answer.body).toEqual(answers[0]?.body);
      }
      expect(answers[0]?.body.status).toBe("pending");
      expect(await ordersOf(buyer.id)).toEqual([{ id: answers[0]?.body.id, status: "pending" }]);
      const placed = await sql<{ count: number }>`
        SELECT count(*)::int AS count FROM order_events WHERE type = 'OrderPlaced'
          AND order_id IN (SELECT id FROM orders WHERE user_id = ${buyer.id})
      `.execute(context.db);
      expect(placed.rows[0]?.count).toBe(1);
    });

    it("answers a later checkout of the same cart with the first order while it is pending or confirmed", async () => {
      const buyer = await customer();
      cart.set(buyer.token, { revision: 1, items: [line(uuidv7(), 1)] });
      const first = await checkout(buyer.token);
      expect(first.status).toBe(202);

      const secondKey = uuidv7();
      const second = await checkout(buyer.token, secondKey);
      expect(second).toEqual(first);
      // The second key keeps its answer, as any key does.
      expect(await checkout(buyer.token, secondKey)).toEqual(first);

      await decide(first.body.id, (order) =>
        stockReserved(order, new Date(Date.now() + 600_000).toISOString(), new Date(), 30_000),
      );
      await decide(first.body.id, (order) => paymentAuthorized(order, uuidv7()));
      const afterConfirmation = await checkout(buyer.token);
      expect(afterConfirmation.status).toBe(202);
      expect(afterConfirmation.body).toMatchObject({ id: first.body.id, status: "confirmed" });
      expect(await ordersOf(buyer.id)).toHaveLength(1);
    });

    it("orders again once the cart changed", async () => {
      const buyer = await customer();
      const productId = uuidv7();
      cart.set(buyer.token, { revision: 1, items: [line(productId, 1)] });
      const first = await checkout(buyer.token);

      cart.set(buyer.token, { revision: 2, items: [line(productId, 1), line(uuidv7(), 1)] });
      const changed = await checkout(buyer.token);
      expect(changed.status).toBe(202);
      expect(changed.body.id).not.toBe(first.body.id);

      // Emptied by a confirmed order and filled again with the same line: a new revision.
      cart.set(buyer.token, { revision: 4, items: [line(productId, 1)] });
      const again = await checkout(buyer.token);
      expect(again.body.id).not.toBe(first.body.id);
      expect(again.body.id).not.toBe(changed.body.id);
      expect(await ordersOf(buyer.id)).toHaveLength(3);
    });

    it("orders the same cart again, once, after its order was rejected or cancelled", async () => {
      const buyer = await customer();
      cart.set(buyer.token, { revision: 5, items: [line(uuidv7(), 4)] });
      const rejected = await checkout(buyer.token);
      await decide(rejected.body.id, (order) => stockReservationFailed(order, [order.items[0]?.sku ?? ""]));

      const retries = await Promise.all(Array.from({ length: 5 }, () => checkout(buyer.token)));
      for (const answer of retries) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
        expect(answer.body).toEqual(retries[0]?.body);
      }
      const retried = retries[0]?.body;
      expect(retried).toMatchObject({ status: "pending" });
      expect(retried.id).not.toBe(rejected.body.id);

      const cancel = await fetch(new URL(`/api/orders/${retried.id}/cancel`, host.url), {
        method: "POST",
        headers: { authorization: `Bearer ${buyer.token}` },
      });
      expect(cancel.status).toBe(202);
      const afterCancel = await checkout(buyer.token);
      expect(afterCancel.body.status).toBe("pending");
      expect(afterCancel.body.id).not.toBe(retried.id);

      expect((await ordersOf(buyer.id)).map((order) => order.status)).toEqual([
        "rejected",
        "cancelled",
        "pending",
      ]);
    });

    it("keeps each customer's carts apart", async () => {
      const [ada, bob] = [await customer(), await customer()];
      const items = [line(uuidv7(), 1)];
      cart.set(ada.token, { revision: 1, items });
      cart.set(bob.token, { revision: 1, items });
      const [forAda, forBob] = await Promise.all([checkout(ada.token), checkout(bob.token)]);
      expect(forAda.status).toBe(202);
      expect(forBob.status).toBe(202);
      expect(forAda.body.id).not.toBe(forBob.body.id);
    });
  });
});
