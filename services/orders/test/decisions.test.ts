import { describe, expect, it } from "vitest";
import {
  cancelOrder,
  deliverOrder,
  OrderRuleError,
  paymentAuthorized,
  paymentDeclined,
  paymentRefunded,
  paymentTimedOut,
  placeOrder,
  receiveReturn,
  requestReturn,
  shipOrder,
  stockReservationFailed,
  stockReserved,
} from "../src/domain/decisions.ts";
import {
  evolve,
  type Order,
  type OrderEvent,
  type OrderItem,
  type RecordedEvent,
  replay,
} from "../src/domain/order.ts";
import { messagesFor } from "../src/domain/order-messages.ts";

const orderId = "0197a000-0000-7000-8000-000000000001";
const eur = (amount: number) => ({ amount, currency: "EUR" });
const placedAt = new Date("2025-03-01T10:00:00.000Z");
const timeoutMs = 30_000;

const line = (productId: string, quantity: number, unitPrice: number): OrderItem => ({
  productId,
  sku: `SKU-${productId}`,
  name: `Product ${productId}`,
  quantity,
  unitPrice: eur(unitPrice),
  lineTotal: eur(unitPrice * quantity),
});

/** Two pens at 2.50 and one notebook at 10.00. */
const items = [line("pen", 2, 250), line("notebook", 1, 1000)];

const secondsAfterPlacing = (seconds: number) => new Date(placedAt.getTime() + seconds * 1000);

/** What the stream does with decided events: numbers them, dates them, folds them in. */
function append(order: Order | undefined, events: OrderEvent[], at = secondsAfterPlacing(1)): Order {
  let next = order;
  let version = order?.version ?? 0;
  for (const event of events) {
    version += 1;
    next = evolve(next, { ...event, version, at }, orderId);
  }
  if (!next) throw new Error("no events to append");
  return next;
}

const placing = placeOrder({
  userId: "user-1",
  items,
  shippingAddress: { name: "Ada", line1: "1 Road", city: "London", postalCode: "N1", country: "GB" },
  cartVersion: "1:test",
});

function placed(): Order {
  return append(undefined, placing, placedAt);
}

/** Stock reserved, so the payment is asked, with its deadline `timeoutMs` after one second. */
function awaitingPayment(): Order {
  const order = placed();
  return append(order, stockReserved(order, "2025-03-01T10:15:00.000Z", secondsAfterPlacing(1), timeoutMs));
}

function confirmed(): Order {
  const order = awaitingPayment();
  return append(order, paymentAuthorized(order, "pay-1"));
}

function delivered(): Order {
  let order = confirmed();
  order = append(order, shipOrder(order, { carrier: "DHL", trackingNumber: "T1" }));
  return append(order, deliverOrder(order));
}

const types = (events: OrderEvent[]) => events.map((event) => event.type);

function ruleBroken(decide: () => unknown): OrderRuleError {
  try {
    decide();
  } catch (error) {
    if (error instanceof OrderRuleError) return error;
    throw error;
  }
  throw new Error("the decision broke no rule");
}

describe("an order's stream", () => {
  it("starts pending with the total of its lines, and replays to the same order", () => {
    const order = placed();
    expect(order).toMatchObject({
      id: orderId,
      status: "pending",
      statusReason: null,
      total: eur(1500),
      paymentDeadline: null,
      version: 1,
      createdAt: placedAt,
    });

    const events: RecordedEvent[] = [
      { ...(placing[0] as OrderEvent), version: 1, at: placedAt },
      { type: "StockReserved", detail: { expiresAt: "x" }, version: 2, at: secondsAfterPlacing(1) },
      {
        type: "PaymentRequested",
        detail: { amount: eur(1500), deadline: secondsAfterPlacing(31).toISOString() },
        version: 3,
        at: secondsAfterPlacing(1),
      },
    ];
    const replayed = replay(orderId, events);
    expect(replayed).toEqual(replay(orderId, events));
    expect(replayed).toMatchObject({
      status: "pending",
      paymentDeadline: secondsAfterPlacing(31),
      version: 3,
      updatedAt: secondsAfterPlacing(1),
    });
  });

  it("refuses a stream that does not start with OrderPlaced", () => {
    expect(() => replay(orderId, [{ type: "OrderConfirmed", detail: {}, version: 1, at: placedAt }])).toThrow(
      `The stream of order ${orderId} does not start with OrderPlaced`,
    );
    expect(replay(orderId, [])).toBeUndefined();
  });
});

describe("the saga's answers", () => {
  it("asks for the payment once stock is reserved, with the total and a deadline", () => {
    const order = placed();
    const now = secondsAfterPlacing(1);
    expect(stockReserved(order, "2025-03-01T10:15:00.000Z", now, timeoutMs)).toEqual([
      { type: "StockReserved", detail: { expiresAt: "2025-03-01T10:15:00.000Z" } },
      {
        type: "PaymentRequested",
        detail: { amount: eur(1500), deadline: secondsAfterPlacing(31).toISOString() },
      },
    ]);
  });

  it("records each answer once, however often it is delivered", () => {
    const reserved = awaitingPayment();
    expect(stockReserved(reserved, "2025-03-01T10:15:00.000Z", secondsAfterPlacing(2), timeoutMs)).toEqual(
      [],
    );

    const order = confirmed();
    expect(order.status).toBe("confirmed");
    expect(paymentAuthorized(order, "pay-1")).toEqual([]);
    const refunded = append(order, paymentRefunded(order, eur(1500), null));
    expect(paymentRefunded(refunded, eur(1500), null)).toEqual([]);

    const declined = append(reserved, paymentDeclined(reserved, "card_declined"));
    expect(declined).toMatchObject({ status: "rejected", statusReason: "payment_declined" });
    expect(paymentDeclined(declined, "card_declined")).toEqual([]);

    const sold = placed();
    const soldOut = append(sold, stockReservationFailed(sold, ["SKU-pen"]));
    expect(soldOut).toMatchObject({ status: "rejected", statusReason: "out_of_stock" });
    expect(types(stockReservationFailed(soldOut, ["SKU-pen"]))).toEqual([]);
  });

  it("only records a payment authorized after the timeout rejected the order, and publishes nothing for it", () => {
    const waiting = awaitingPayment();
    const timedOut = append(waiting, paymentTimedOut(waiting, secondsAfterPlacing(31)));
    expect(timedOut).toMatchObject({ status: "rejected", statusReason: "payment_timeout" });

    const late = paymentAuthorized(timedOut, "pay-1");
    expect(late).toEqual([{ type: "PaymentAuthorized", detail: { paymentId: "pay-1" } }]);
    const after = append(timedOut, late);
    expect(after).toMatchObject({ status: "rejected", statusReason: "payment_timeout" });
    expect(messagesFor(after, late, { correlationId: "c" })).toEqual([]);
    expect(paymentAuthorized(after, "pay-1")).toEqual([]);
  });

  it("only records answers that reach an order the customer cancelled meanwhile", () => {
    const order = placed();
    const cancelled = append(order, cancelOrder(order, "customer"));
    expect(stockReserved(cancelled, "2025-03-01T10:15:00.000Z", secondsAfterPlacing(1), timeoutMs)).toEqual([
      { type: "StockReserved", detail: { expiresAt: "2025-03-01T10:15:00.000Z" } },
    ]);
    expect(types(stockReservationFailed(cancelled, ["SKU-pen"]))).toEqual(["StockReservationFailed"]);
    expect(types(paymentDeclined(cancelled, "card_declined"))).toEqual(["PaymentDeclined"]);
  });

  it("names the short skus in an order rejected out_of_stock, and keeps a late failure out of a cancelled one", () => {
    const order = placed();
    const shortages = [{ sku: "SKU-pen", requested: 2, available: 1 }];
    const events = stockReservationFailed(order, ["SKU-pen"], shortages);
    expect(events).toEqual([
      { type: "StockReservationFailed", detail: { shortSkus: ["SKU-pen"], shortages } },
      { type: "OrderRejected", detail: { reason: "out_of_stock" } },
    ]);
    expect(append(order, events)).toMatchObject({
      status: "rejected",
      statusReason: "out_of_stock",
      shortages,
    });
    expect(placed().shortages).toEqual([]);

    const cancelled = append(order, cancelOrder(order, "customer"));
    expect(append(cancelled, stockReservationFailed(cancelled, ["SKU-pen"], shortages)).shortages).toEqual(
      [],
    );
  });

  it("gives an answer that names only the skus what the order asked of each, and no availability", () => {
    const order = placed();
    const fromOldInventory = stockReservationFailed(order, ["SKU-notebook"]);
    expect(fromOldInventory[0]).toEqual({
      type: "StockReservationFailed",
      detail: {
        shortSkus: ["SKU-notebook"],
        shortages: [{ sku: "SKU-notebook", requested: 1, available: null }],
      },
    });
    // A stream written before shortages were recorded replays to the same.
    const oldStream = append(order, [
      { type: "StockReservationFailed", detail: { shortSkus: ["SKU-pen"] } },
      { type: "OrderRejected", detail: { reason: "out_of_stock" } },
    ]);
    expect(oldStream.shortages).toEqual([{ sku: "SKU-pen", requested: 2, available: null }]);
  });

  it("sends the sealed token with the payment request, and refuses to ask without one", () => {
    const order = placed();
    const events = stockReserved(order, "2025-03-01T10:15:00.000Z", secondsAfterPlacing(1), timeoutMs);
    const after = append(order, events);
    const messages = messagesFor(after, events, { correlationId: "c" }, "sealed:tok_visa");
    expect(messages.map((message) => message["detail-type"])).toEqual(["PaymentRequested"]);
    expect(messages[0]?.detail).toEqual({ orderId, amount: eur(1500), sealedToken: "sealed:tok_visa" });
    expect(() => messagesFor(after, events, { correlationId: "c" })).toThrow(/without a payment token/);
  });

  it("stops waiting for the payment shortly before the reservation expires, and never asks once it has", () => {
    const order = placed();
    const soon = stockReserved(order, "2025-03-01T10:01:00.000Z", secondsAfterPlacing(1), 600_000);
    expect(soon[1]).toEqual({
      type: "PaymentRequested",
      detail: { amount: eur(1500), deadline: "2025-03-01T10:00:30.000Z" },
    });
    const over = stockReserved(order, "2025-03-01T10:00:20.000Z", secondsAfterPlacing(1), timeoutMs);
    expect(over).toEqual([
      { type: "StockReserved", detail: { expiresAt: "2025-03-01T10:00:20.000Z" } },
      { type: "OrderRejected", detail: { reason: "payment_timeout" } },
    ]);
  });

  it("refuses an order of more lines or more money than an order holds", () => {
    const address = { name: "Ada", line1: "1 Road", city: "London", postalCode: "N1", country: "GB" };
    const line = (index: number, amount = 100) => ({
      productId: `p-${index}`,
      sku: `SKU-${index}`,
      name: `Product ${index}`,
      quantity: 1,
      unitPrice: eur(amount),
      lineTotal: eur(amount),
    });
    expect(() =>
      placeOrder({ userId: "u", items: [], shippingAddress: address, cartVersion: "1:test" }),
    ).toThrow(/cart is empty/);
    const tooMany = Array.from({ length: 101 }, (_, index) => line(index));
    expect(() =>
      placeOrder({ userId: "u", items: tooMany, shippingAddress: address, cartVersion: "1:test" }),
    ).toThrow(/at most 100 different products; the cart has 101/);
    expect(
      placeOrder({
        userId: "u",
        items: tooMany.slice(0, 100),
        shippingAddress: address,
        cartVersion: "1:test",
      }),
    ).toHaveLength(1);
    const dear = [line(1, 60_000_000_000), line(2, 60_000_000_000)];
    expect(() =>
      placeOrder({ userId: "u", items: dear, shippingAddress: address, cartVersion: "1:test" }),
    ).toThrow(/total can be at most/);
  });

  it("records refunds once per return and once for the whole order", () => {
    const order = confirmed();
    const refunded = append(order, paymentRefunded(order, eur(1500), null));
    expect(paymentRefunded(refunded, eur(1500), null)).toEqual([]);
    expect(types(paymentRefunded(refunded, eur(250), "return-1"))).toEqual(["PaymentRefunded"]);
  });
});

describe("the payment timeout", () => {
  it("rejects a pending order once its deadline has come, not before", () => {
    const order = awaitingPayment();
    expect(order.paymentDeadline).toEqual(secondsAfterPlacing(31));
    expect(paymentTimedOut(order, secondsAfterPlacing(30))).toEqual([]);
    expect(paymentTimedOut(order, secondsAfterPlacing(31))).toEqual([
      { type: "OrderRejected", detail: { reason: "payment_timeout" } },
    ]);
    expect(types(paymentTimedOut(order, secondsAfterPlacing(3600)))).toEqual(["OrderRejected"]);
  });

  it("leaves alone an order that asked no payment yet, or that is no longer pending", () => {
    const late = secondsAfterPlacing(3600);
    expect(paymentTimedOut(placed(), late)).toEqual([]);
    expect(paymentTimedOut(confirmed(), late)).toEqual([]);
    const waiting = awaitingPayment();
    const cancelled = append(waiting, cancelOrder(waiting, "customer"));
    expect(cancelled.paymentDeadline).toBeNull();
    expect(paymentTimedOut(cancelled, late)).toEqual([]);
    const timedOut = append(waiting, paymentTimedOut(waiting, late));
    expect(timedOut.paymentDeadline).toBeNull();
    expect(paymentTimedOut(timedOut, late)).toEqual([]);
  });
});

describe("cancelling, shipping and delivering", () => {
  it("cancels a pending or confirmed order once; cancelling again changes nothing", () => {
    const pending = placed();
    expect(cancelOrder(pending, "customer")).toEqual([
      { type: "OrderCancelled", detail: { previousStatus: "pending", cancelledBy: "customer" } },
    ]);
    const order = confirmed();
    const events = cancelOrder(order, "admin");
    expect(events).toEqual([
      { type: "OrderCancelled", detail: { previousStatus: "confirmed", cancelledBy: "admin" } },
    ]);
    const cancelled = append(order, events);
    expect(cancelled).toMatchObject({ status: "cancelled", statusReason: null });
    expect(cancelOrder(cancelled, "customer")).toEqual([]);
    expect(cancelOrder(cancelled, "admin")).toEqual([]);
  });

  it("refuses to cancel an order that was rejected, shipped or delivered", () => {
    const waiting = awaitingPayment();
    const rejected = append(waiting, paymentDeclined(waiting, "card_declined"));
    const error = ruleBroken(() => cancelOrder(rejected, "customer"));
    expect(error.kind).toBe("conflict");
    expect(error.message).toBe(
      `Order ${orderId} is rejected and can no longer be cancelled (only pending or confirmed orders can)`,
    );
    const order = confirmed();
    const shipped = append(order, shipOrder(order, { carrier: null, trackingNumber: null }));
    expect(ruleBroken(() => cancelOrder(shipped, "admin")).kind).toBe("conflict");
    expect(ruleBroken(() => cancelOrder(delivered(), "admin")).kind).toBe("conflict");
  });

  it("ships a confirmed order once, and delivers a shipped order once", () => {
    expect(ruleBroken(() => shipOrder(placed(), { carrier: null, trackingNumber: null })).kind).toBe(
      "conflict",
    );
    expect(ruleBroken(() => deliverOrder(confirmed())).message).toBe(
      `Order ${orderId} is confirmed; only a shipped order can be delivered`,
    );
    const order = confirmed();
    const shipped = append(order, shipOrder(order, { carrier: "DHL", trackingNumber: "T1" }));
    expect(shipped).toMatchObject({ status: "shipped", carrier: "DHL", trackingNumber: "T1" });
    expect(ruleBroken(() => shipOrder(shipped, { carrier: "UPS", trackingNumber: null })).message).toBe(
      `Order ${orderId} is shipped; only a confirmed order can be shipped`,
    );
    const arrived = append(shipped, deliverOrder(shipped));
    expect(arrived.status).toBe("delivered");
    expect(deliverOrder(arrived)).toEqual([]);
  });
});

describe("returns", () => {
  it("refuses a return before delivery, and one of a product the order does not hold", () => {
    const request = { returnId: "r-1", items: [{ productId: "pen", quantity: 1 }], reason: "broken" };
    const early = ruleBroken(() => requestReturn(confirmed(), request));
    expect(early.kind).toBe("conflict");
    const unknown = ruleBroken(() =>
      requestReturn(delivered(), { ...request, items: [{ productId: "stapler", quantity: 1 }] }),
    );
    expect(unknown.kind).toBe("unprocessable");
    expect(unknown.message).toBe(`Product stapler is not part of order ${orderId}`);
  });

  it("counts the units of earlier returns, whatever their status, against what was bought", () => {
    let order = delivered();
    const first = requestReturn(order, {
      returnId: "r-1",
      items: [{ productId: "pen", quantity: 1 }],
      reason: "scratched",
    });
    expect(first).toEqual([
      {
        type: "ReturnRequested",
        detail: {
          returnId: "r-1",
          items: [{ productId: "pen", sku: "SKU-pen", name: "Product pen", quantity: 1 }],
          reason: "scratched",
          refund: eur(250),
        },
      },
    ]);
    order = append(order, first);

    const tooMany = ruleBroken(() =>
      requestReturn(order, { returnId: "r-2", items: [{ productId: "pen", quantity: 2 }], reason: "all" }),
    );
    expect(tooMany.kind).toBe("unprocessable");
    expect(tooMany.message).toBe(
      "Only 1 of product pen can be returned (2 bought, 1 in earlier returns); 2 asked",
    );

    // The same product named twice in one request counts as the sum of its lines.
    const split = ruleBroken(() =>
      requestReturn(order, {
        returnId: "r-2",
        items: [
          { productId: "pen", quantity: 1 },
          { productId: "pen", quantity: 1 },
        ],
        reason: "split",
      }),
    );
    expect(split.message).toMatch(/^Only 1 of product pen can be returned/);

    order = append(order, receiveReturn(order, "r-1"));
    const rest = requestReturn(order, {
      returnId: "r-2",
      items: [
        { productId: "notebook", quantity: 1 },
        { productId: "pen", quantity: 1 },
      ],
      reason: "the rest",
    });
    expect(rest[0]).toMatchObject({
      type: "ReturnRequested",
      detail: { refund: eur(1250), items: [{ productId: "notebook" }, { productId: "pen" }] },
    });
    order = append(order, rest);
    expect(
      ruleBroken(() =>
        requestReturn(order, {
          returnId: "r-3",
          items: [{ productId: "notebook", quantity: 1 }],
          reason: "x",
        }),
      ).message,
    ).toBe("Only 0 of product notebook can be returned (1 bought, 1 in earlier returns); 1 asked");
  });

  it("turns the order returned once every bought unit has been received, and not before", () => {
    let order = delivered();
    order = append(
      order,
      requestReturn(order, { returnId: "r-1", items: [{ productId: "pen", quantity: 2 }], reason: "pens" }),
    );
    order = append(
      order,
      requestReturn(order, {
        returnId: "r-2",
        items: [{ productId: "notebook", quantity: 1 }],
        reason: "notebook",
      }),
    );
    expect(order.status).toBe("delivered");

    // Received out of the order they were asked in, and the first one refunded before the second arrives.
    order = append(order, receiveReturn(order, "r-2"));
    expect(order.status).toBe("delivered");
    expect(order.returns.map((entry) => [entry.id, entry.status])).toEqual([
      ["r-1", "requested"],
      ["r-2", "received"],
    ]);
    order = append(order, paymentRefunded(order, eur(1000), "r-2"));
    expect(order.returns.find((entry) => entry.id === "r-2")?.status).toBe("refunded");
    expect(order.status).toBe("delivered");

    const last = receiveReturn(order, "r-1");
    expect(last).toEqual([{ type: "ReturnReceived", detail: { returnId: "r-1" } }]);
    order = append(order, last);
    expect(order.status).toBe("returned");
    expect(order.statusReason).toBeNull();
    expect(ruleBroken(() => deliverOrder(order)).kind).toBe("conflict");
    expect(
      ruleBroken(() =>
        requestReturn(order, { returnId: "r-3", items: [{ productId: "pen", quantity: 1 }], reason: "x" }),
      ).kind,
    ).toBe("conflict");
  });

  it("receives a return once, and knows no return it was never asked for", () => {
    let order = delivered();
    order = append(
      order,
      requestReturn(order, { returnId: "r-1", items: [{ productId: "pen", quantity: 1 }], reason: "one" }),
    );
    order = append(order, receiveReturn(order, "r-1"));
    expect(receiveReturn(order, "r-1")).toEqual([]);
    order = append(order, paymentRefunded(order, eur(250), "r-1"));
    expect(receiveReturn(order, "r-1")).toEqual([]);
    expect(order.returns[0]?.status).toBe("refunded");
    expect(ruleBroken(() => receiveReturn(order, "r-9")).message).toBe(
      `Return r-9 is not part of order ${orderId}`,
    );
  });
});
