import { describe, expect, it } from "vitest";
import {
  type Answer,
  call,
  describeOnEveryTopology,
  knownProduct,
  productCreated,
  publishCatalogEvents,
} from "./cart-host.ts";

describeOnEveryTopology("cart on $name", (cart) => {
  const asUser = async (id: string) => cart.authority.token({ id });
  const get = (token: string) => call(cart.host, "GET", "/api/cart", { token });
  const add = (token: string, body: unknown) => call(cart.host, "POST", "/api/cart/items", { token, body });
  const patch = (token: string, productId: string, body: unknown) =>
    call(cart.host, "PATCH", `/api/cart/items/${productId}`, { token, body });
  const remove = (token: string, productId: string) =>
    call(cart.host, "DELETE", `/api/cart/items/${productId}`, { token });

  function expectProblem(answer: Answer, status: number, detail: string | RegExp) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body.status).toBe(status);
    expect(answer.body.detail).toMatch(detail);
  }

  describe("a user's cart", () => {
    it("is empty, with a stable id, before anything is added", async () => {
      const token = await asUser("empty-user");
      const first = await get(token);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        id: expect.any(String),
        revision: 0,
        items: [],
        subtotal: { amount: 0, currency: "EUR" },
      });
      expect((await get(token)).body.id).toBe(first.body.id);
    });

    it("adds, accumulates, updates, removes and clears lines, priced from the replica", async () => {
      const token = await asUser("shopper");
      const mug = await knownProduct(cart.host, { name: "Mug", price: { amount: 1250, currency: "EUR" } });
      const tea = await knownProduct(cart.host, { name: "Tea", price: { amount: 399, currency: "EUR" } });

      const added = await add(token, { productId: mug.productId, quantity: 2 });
      expect(added.status).toBe(200);
      expect(added.body.items).toEqual([
        {
          productId: mug.productId,
          sku: mug.sku,
          name: "Mug",
          quantity: 2,
          unitPrice: { amount: 1250, currency: "EUR" },
          lineTotal: { amount: 2500, currency: "EUR" },
          available: null,
          exceedsStock: false,
        },
      ]);
      expect(added.body.id).toBe((await get(token)).body.id);

      const again = await add(token, { productId: mug.productId, quantity: 3 });
      expect(again.body.items).toHaveLength(1);
      expect(again.body.items[0]).toMatchObject({
        quantity: 5,
        lineTotal: { amount: 6250, currency: "EUR" },
      });

      const both = await add(token, { productId: tea.productId, quantity: 1 });
      expect(both.body.items.map((item: { name: string }) => item.name)).toEqual(["Mug", "Tea"]);
      expect(both.body.subtotal).toEqual({ amount: 6250 + 399, currency: "EUR" });

      const updated = await patch(token, mug.productId, { quantity: 1 });
      expect(updated.status).toBe(200);
      expect(updated.body.items[0]).toMatchObject({ productId: mug.productId, quantity: 1 });
      expect(updated.body.subtotal.amount).toBe(1250 + 399);

      const zeroed = await patch(token, tea.productId, { quantity: 0 });
      expect(zeroed.body.items.map((item: { productId: string }) => item.productId)).toEqual([mug.productId]);

      const removed = await remove(token, mug.productId);
      expect(removed.status).toBe(200);
      expect(removed.body.items).toEqual([]);
      expect(removed.body.subtotal).toEqual({ amount: 0, currency: "EUR" });
      expect((await remove(token, mug.productId)).status).toBe(200);

      await add(token, { productId: tea.productId, quantity: 4 });
      const cleared = await call(cart.host, "DELETE", "/api/cart", { token });
      expect(cleared.status).toBe(204);
      expect(cleared.body).toBeUndefined();
      expect((await get(token)).body.items).toEqual([]);
    });

    it("refuses more than 99 of a product in a line, and changes nothing", async () => {
      const token = await asUser("bulk-buyer");
      const { productId } = await knownProduct(cart.host);
      expect((await add(token, { productId, quantity: 99 })).status).toBe(200);
      expectProblem(await add(token, { productId, quantity: 1 }), 422, /more than 99/);
      expect((await get(token)).body.items[0].quantity).toBe(99);
    });

    it("refuses a product in another currency than the cart's with 422", async () => {
      const token = await asUser("traveller");
      const euro = await knownProduct(cart.host, { price: { amount: 100, currency: "EUR" } });
      const dollar = await knownProduct(cart.host, { price: { amount: 100, currency: "USD" } });
      await add(token, { productId: euro.productId, quantity: 1 });
      expectProblem(await add(token, { productId: dollar.productId, quantity: 1 }), 422, /USD.*EUR/);
      expect((await get(token)).body.items).toHaveLength(1);
    });

    it("refuses a 101st different product with 422, as one order holds at most 100", async () => {
      const token = await asUser("hoarder");
      const products = Array.from({ length: 101 }, () => productCreated());
      await publishCatalogEvents(cart.host, products);
      for (const product of products.slice(0, 100)) {
        expect((await add(token, { productId: product.detail.productId, quantity: 1 })).status).toBe(200);
      }
      const last = products[100]?.detail.productId;
      expectProblem(
        await add(token, { productId: last, quantity: 1 }),
        422,
        /at most 100 different products/,
      );
      const first = products[0]?.detail.productId;
      expect((await add(token, { productId: first, quantity: 1 })).status).toBe(200);
      expect((await get(token)).body.items).toHaveLength(100);
    });

    it("counts every unit of concurrent adds, and never passes the cap", async () => {
      const token = await asUser("concurrent-buyer");
      const { productId } = await knownProduct(cart.host);
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => add(token, { productId, quantity: 9 })),
      );
      const accepted = answers.filter((answer) => answer.status === 200).length;
      expect(accepted).toBe(11);
      expect(answers.filter((answer) => answer.status === 422)).toHaveLength(1);
      expect((await get(token)).body.items[0].quantity).toBe(99);
    });

    it("answers 404 for a product the cart has never heard of", async () => {
      const token = await asUser("curious");
      expectProblem(await add(token, { productId: "no-such-product", quantity: 1 }), 404, /no-such-product/);
    });

    it("answers 404 when updating a line that is not in the cart", async () => {
      const token = await asUser("forgetful");
      const { productId } = await knownProduct(cart.host);
      expectProblem(await patch(token, productId, { quantity: 2 }), 404, /not in the cart/);
    });
  });

  describe("bad input", () => {
    it.each([
      ["zero", 0],
      ["a hundred", 100],
      ["negative", -1],
      ["a fraction", 1.5],
      ["a string", "2"],
      ["null", null],
    ])("refuses a quantity of %s with 400 naming the field", async (_name, quantity) => {
      const token = await asUser("validator");
      const { productId } = await knownProduct(cart.host);
      const answer = await add(token, { productId, quantity });
      expectProblem(answer, 400, /invalid: 1 problem/);
      expect(answer.body.errors).toEqual([{ path: "body.quantity", message: expect.any(String) }]);
    });

    it.each([
      ["a hundred", 100],
      ["negative", -1],
      ["a fraction", 0.5],
      ["a string", "2"],
    ])("refuses a line quantity of %s with 400", async (_name, quantity) => {
      const token = await asUser("validator");
      const { productId } = await knownProduct(cart.host);
      await add(token, { productId, quantity: 1 });
      const answer = await patch(token, productId, { quantity });
      expectProblem(answer, 400, /invalid: 1 problem/);
      expect(answer.body.errors).toEqual([{ path: "body.quantity", message: expect.any(String) }]);
    });

    it("lists every missing field and refuses unknown ones", async () => {
      const token = await asUser("validator");
      const missing = await add(token, {});
      expectProblem(missing, 400, /2 problems/);
      expect(missing.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
        "body.productId",
        "body.quantity",
      ]);
      const extra = await add(token, { productId: "x", quantity: 1, price: 1 });
      expectProblem(extra, 400, /invalid/);
      expect(JSON.stringify(extra.body.errors)).toContain("price");
    });

    it("refuses a product id longer than 128 characters with 400", async () => {
      const token = await asUser("validator");
      const answer = await add(token, { productId: "p".repeat(129), quantity: 1 });
      expectProblem(answer, 400, /invalid: 1 problem/);
      expect(answer.body.errors).toEqual([{ path: "body.productId", message: expect.any(String) }]);
    });

    it("refuses malformed JSON with 400", async () => {
      const token = await asUser("validator");
      const answer = await call(cart.host, "POST", "/api/cart/items", { token, raw: '{"productId": "x",' });
      expectProblem(answer, 400, /not valid JSON/);
    });

    it("refuses a body that is not JSON with 415", async () => {
      const token = await asUser("validator");
      const answer = await call(cart.host, "POST", "/api/cart/items", {
        token,
        raw: "productId=x&quantity=1",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(answer.status).toBe(415);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    });

    it("refuses an oversized body with 413", async () => {
      const token = await asUser("validator");
      const answer = await add(token, { productId: "x".repeat(5_000), quantity: 1 });
      expect(answer.status).toBe(413);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.body.detail).toEqual(expect.any(String));
    });
  });

  describe("authentication", () => {
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/cart"],
      ["POST", "/api/cart/items", { productId: "x", quantity: 1 }],
      ["PATCH", "/api/cart/items/x", { quantity: 1 }],
      ["DELETE", "/api/cart/items/x"],
      ["DELETE", "/api/cart"],
    ];

    it.each(routes)("%s %s needs a token", async (method, url, body) => {
      expectProblem(await call(cart.host, method, url, { body }), 401, /access token/);
    });

    it("refuses tampered and expired tokens with 401", async () => {
      const [header, payload, signature] = (await asUser("victim")).split(".");
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: "intruder" })).toString("base64url");
      expectProblem(await get(`${header}.${forged}.${signature}`), 401, /signature/);
      expectProblem(await get(await cart.authority.token({ id: "late", expiresIn: "-1m" })), 401, /expired/);
      expectProblem(await get("not-a-jwt"), 401, /malformed/);
    });

    it("keeps each user's cart to that user", async () => {
      const alice = await asUser("alice");
      const bob = await asUser("bob");
      const book = await knownProduct(cart.host, { name: "Book" });
      const pen = await knownProduct(cart.host, { name: "Pen" });
      await add(alice, { productId: book.productId, quantity: 2 });
      await add(bob, { productId: pen.productId, quantity: 1 });

      const aliceCart = (await get(alice)).body;
      const bobCart = (await get(bob)).body;
      expect(aliceCart.id).not.toBe(bobCart.id);
      expect(aliceCart.items.map((item: { name: string }) => item.name)).toEqual(["Book"]);
      expect(bobCart.items.map((item: { name: string }) => item.name)).toEqual(["Pen"]);

      expectProblem(await patch(bob, book.productId, { quantity: 5 }), 404, /not in the cart/);
      await remove(bob, book.productId);
      await call(cart.host, "DELETE", "/api/cart", { token: bob });
      expect((await get(alice)).body.items).toEqual([expect.objectContaining({ name: "Book", quantity: 2 })]);
    });
  });
});
