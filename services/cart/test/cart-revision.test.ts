import { PriceChanged, ProductDeleted } from "@mercato/contracts";
import { expect, it } from "vitest";
import {
  call,
  describeOnEveryTopology,
  knownProduct,
  orderConfirmed,
  publishCatalogEvents,
  publishOrderEvents,
} from "./cart-host.ts";

/**
 * The cart's revision is what orders places one order per: it must move with every change to the
 * lines, by any path, exactly once per change, and never with anything else.
 */
describeOnEveryTopology("the cart's revision on $name", (cart) => {
  const asUser = async (id: string) => cart.authority.token({ id });
  const revision = async (token: string): Promise<number> => {
    const answer = await call(cart.host, "GET", "/api/cart", { token });
    expect(answer.status).toBe(200);
    return answer.body.revision;
  };
  const add = (token: string, productId: string, quantity: number) =>
    call(cart.host, "POST", "/api/cart/items", { token, body: { productId, quantity } });

  it("goes up by one with each change a customer makes, and not for a request that changes nothing", async () => {
    const token = await asUser("reviser");
    const mug = await knownProduct(cart.host);
    const tea = await knownProduct(cart.host);
    expect(await revision(token)).toBe(0);

    const added = await add(token, mug.productId, 1);
    expect(added.body.revision).toBe(1);
    expect((await add(token, mug.productId, 2)).body.revision).toBe(2);
    expect((await add(token, mug.productId, 99)).status).toBe(422);
    expect((await add(token, "no-such-product", 1)).status).toBe(404);
    expect(await revision(token)).toBe(2);
    expect((await add(token, tea.productId, 1)).body.revision).toBe(3);

    const patched = await call(cart.host, "PATCH", `/api/cart/items/${mug.productId}`, {
      token,
      body: { quantity: 5 },
    });
    expect(patched.body.revision).toBe(4);
    const removed = await call(cart.host, "DELETE", `/api/cart/items/${tea.productId}`, { token });
    expect(removed.body.revision).toBe(5);
    const removedAgain = await call(cart.host, "DELETE", `/api/cart/items/${tea.productId}`, { token });
    expect(removedAgain.body.revision).toBe(5);

    expect((await call(cart.host, "DELETE", "/api/cart", { token })).status).toBe(204);
    expect(await revision(token)).toBe(6);
    await call(cart.host, "DELETE", "/api/cart", { token });
    expect(await revision(token)).toBe(6);

    // Emptied and filled again with the same line: a new version, never an old one again.
    expect((await add(token, mug.productId, 5)).body.revision).toBe(7);
  });

  it("counts each of many concurrent adds once", async () => {
    const token = await asUser("rushed-reviser");
    const { productId } = await knownProduct(cart.host);
    const answers = await Promise.all(Array.from({ length: 8 }, () => add(token, productId, 1)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((answer) => answer.body.revision)).size).toBe(8);
    expect(await revision(token)).toBe(8);
  });

  it("moves when a confirmed order or a deleted product takes lines out, and not for a price change", async () => {
    const buyer = await asUser("event-reviser");
    const other = await asUser("bystander");
    const lamp = await knownProduct(cart.host, { price: { amount: 2000, currency: "EUR" } });
    const bulb = await knownProduct(cart.host);
    const kept = await knownProduct(cart.host);
    await add(buyer, lamp.productId, 2);
    await add(buyer, bulb.productId, 1);
    await add(other, kept.productId, 1);
    const snapshot = (await call(cart.host, "GET", "/api/cart", { token: buyer })).body;
    expect(snapshot.revision).toBe(2);

    await publishCatalogEvents(cart.host, [
      PriceChanged.create(
        {
          productId: lamp.productId,
          sku: lamp.sku,
          oldPrice: { amount: 2000, currency: "EUR" },
          newPrice: { amount: 1500, currency: "EUR" },
        },
        { correlationId: "test" },
      ),
    ]);
    const repriced = (await call(cart.host, "GET", "/api/cart", { token: buyer })).body;
    expect(repriced.items[0].unitPrice.amount).toBe(1500);
    expect(repriced.revision).toBe(2);

    await publishOrderEvents(cart.host, [orderConfirmed("event-reviser", [snapshot.items[0]])]);
    expect(await revision(buyer)).toBe(3);

    await publishCatalogEvents(cart.host, [
      ProductDeleted.create({ productId: bulb.productId, sku: bulb.sku }, { correlationId: "test" }),
    ]);
    expect(await revision(buyer)).toBe(4);
    expect(await revision(other)).toBe(1);
  });
});
