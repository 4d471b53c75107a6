import { expect, it } from "vitest";
import {
  call,
  describeOnEveryTopology,
  knownProduct,
  orderConfirmed,
  orderConfirmedQueue,
  publishOrderEvents,
  queueStats,
  type SnapshotLine,
} from "./cart-host.ts";

describeOnEveryTopology("a confirmed order on $name", (cart) => {
  const asUser = async (id: string) => cart.authority.token({ id });
  const get = (token: string) => call(cart.host, "GET", "/api/cart", { token });
  const add = (token: string, productId: string, quantity: number) =>
    call(cart.host, "POST", "/api/cart/items", { token, body: { productId, quantity } });
  const lines = async (token: string) =>
    (await get(token)).body.items.map((item: SnapshotLine) => [item.name, item.quantity]);

  async function expectNoFailure() {
    const queue = await queueStats(cart.host, orderConfirmedQueue);
    expect(queue.failed).toBe(0);
    expect(queue.dlqDepth).toBe(0);
  }

  it("takes the bought units out of the buyer's cart and keeps what was added after checkout", async () => {
    const token = await asUser("buyer");
    const mug = await knownProduct(cart.host, { name: "Mug", price: { amount: 1250, currency: "EUR" } });
    const tea = await knownProduct(cart.host, { name: "Tea", price: { amount: 399, currency: "EUR" } });
    const pen = await knownProduct(cart.host, { name: "Pen", price: { amount: 150, currency: "EUR" } });
    await add(token, mug.productId, 2);
    await add(token, tea.productId, 1);
    const snapshot = (await get(token)).body;
    expect(snapshot.items).toHaveLength(2);

    // While the order is pending, the customer keeps shopping.
    await add(token, mug.productId, 3);
    await add(token, pen.productId, 2);
    const neighbour = await asUser("neighbour");
    await add(neighbour, tea.productId, 4);

    await publishOrderEvents(cart.host, [orderConfirmed("buyer", snapshot.items)]);

    const after = (await get(token)).body;
    expect(after.id).toBe(snapshot.id);
    expect(after.items).toEqual([
      expect.objectContaining({
        productId: mug.productId,
        quantity: 3,
        lineTotal: { amount: 3750, currency: "EUR" },
      }),
      expect.objectContaining({ productId: pen.productId, quantity: 2 }),
    ]);
    expect(after.subtotal).toEqual({ amount: 3750 + 300, currency: "EUR" });
    expect(await lines(neighbour)).toEqual([["Tea", 4]]);
    await expectNoFailure();
  });

  it("changes nothing when the same purchase is told again after its lines are gone", async () => {
    const token = await asUser("told-twice");
    const book = await knownProduct(cart.host, { name: "Book" });
    const lamp = await knownProduct(cart.host, { name: "Lamp" });
    await add(token, book.productId, 1);
    const snapshot = (await get(token)).body;
    await add(token, lamp.productId, 2);

    const first = orderConfirmed("told-twice", snapshot.items);
    await publishOrderEvents(cart.host, [first]);
    expect(await lines(token)).toEqual([["Lamp", 2]]);

    const again = { ...first, id: orderConfirmed("told-twice", snapshot.items).id };
    expect(again.id).not.toBe(first.id);
    await publishOrderEvents(cart.host, [again]);
    expect(await lines(token)).toEqual([["Lamp", 2]]);
    await expectNoFailure();
  });

  it("skips a bought line the customer removed before the order was confirmed", async () => {
    const token = await asUser("quick-remover");
    const cup = await knownProduct(cart.host, { name: "Cup" });
    const bowl = await knownProduct(cart.host, { name: "Bowl" });
    await add(token, cup.productId, 1);
    await add(token, bowl.productId, 3);
    const snapshot = (await get(token)).body;
    await call(cart.host, "DELETE", `/api/cart/items/${cup.productId}`, { token });

    await publishOrderEvents(cart.host, [orderConfirmed("quick-remover", snapshot.items)]);

    expect(await lines(token)).toEqual([]);
    await expectNoFailure();
  });

  it("loses none of the units added while the order is being taken out", async () => {
    const token = await asUser("busy-buyer");
    const sock = await knownProduct(cart.host, { name: "Sock" });
    await add(token, sock.productId, 10);
    const bought = (await get(token)).body.items.map((item: SnapshotLine) => ({
      ...item,
      quantity: 5,
      lineTotal: { ...item.lineTotal, amount: item.unitPrice.amount * 5 },
    }));

    const adds = Array.from({ length: 10 }, () => add(token, sock.productId, 1));
    await publishOrderEvents(cart.host, [orderConfirmed("busy-buyer", bought)]);
    expect((await Promise.all(adds)).every((answer) => answer.status === 200)).toBe(true);

    expect(await lines(token)).toEqual([["Sock", 10 + 10 - 5]]);
    await expectNoFailure();
  });

  it("does nothing, and does not fail, for a buyer without a cart", async () => {
    const someone = await asUser("someone");
    const chair = await knownProduct(cart.host, { name: "Chair" });
    await add(someone, chair.productId, 1);
    const line = (await get(someone)).body.items;

    await publishOrderEvents(cart.host, [orderConfirmed("never-had-a-cart", line)]);

    expect((await get(await asUser("never-had-a-cart"))).body.items).toEqual([]);
    expect(await lines(someone)).toEqual([["Chair", 1]]);
    await expectNoFailure();
  });
});
