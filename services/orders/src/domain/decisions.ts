import type { Money } from "@mercato/contracts";
import {
  type Order,
  type OrderEvent,
  type OrderItem,
  type OrderStatus,
  type ReturnLine,
  refundKey,
  type ShippingAddress,
  type Shortage,
  shortagesOf,
  unitsInReturns,
} from "./order.ts";

/** A command the order's status does not allow (409), or a request that cannot be met (422). */
export class OrderRuleError extends Error {
  override name = "OrderRuleError";
  constructor(
    readonly kind: "conflict" | "unprocessable",
    message: string,
  ) {
    super(message);
  }
}

const cancellable: OrderStatus[] = ["pending", "confirmed"];

/** What one order may hold: the limits of its events (OrderPlaced's items and money). */
export const maxOrderLines = 100;
export const maxOrderTotal = 1_000_000_000_00;

/** Checkout: the cart's lines become a pending order, if they make one. */
export function placeOrder(input: {
  userId: string;
  items: OrderItem[];
  shippingAddress: ShippingAddress;
  cartVersion: string;
}): OrderEvent[] {
  if (input.items.length === 0) {
    throw new OrderRuleError("unprocessable", "The cart is empty: add products before checking out");
  }
  if (input.items.length > maxOrderLines) {
    throw new OrderRuleError(
      "unprocessable",
      `An order holds at most ${maxOrderLines} different products; the cart has ${input.items.length}`,
    );
  }
  const total = totalOf(input.items);
  if (total.amount > maxOrderTotal) {
    throw new OrderRuleError("unprocessable", `An order's total can be at most ${maxOrderTotal} minor units`);
  }
  return [{ type: "OrderPlaced", detail: { ...input, total } }];
}

export function totalOf(lines: readonly { lineTotal: Money }[]): Money {
  const currency = lines[0]?.lineTotal.currency ?? "EUR";
  return { amount: lines.reduce((sum, line) => sum + line.lineTotal.amount, 0), currency };
}

// The saga's steps. Each answer is recorded once; it moves the order only while it is pending.
// An answer that comes after the order left `pending` (a late authorization after a timeout) is
// only recorded: inventory and payments undo their own side when they see the rejection or the
// cancellation, so orders never has to chase them.

/** How long before the reservation expires the saga stops waiting for the payment. */
export const reservationMarginMs = 30_000;

/**
 * Step 2 done: stock is held, so the card can be asked (never before, so a sold-out order is never
 * charged). The answer must come while the units are still held: the deadline is the payment
 * timeout or shortly before the reservation expires, whichever is first, and a reservation that
 * is already (nearly) over rejects the order at once.
 */
export function stockReserved(
  order: Order,
  expiresAt: string,
  now: Date,
  paymentTimeoutMs: number,
): OrderEvent[] {
  if (order.answers.has("StockReserved")) return [];
  const recorded: OrderEvent = { type: "StockReserved", detail: { expiresAt } };
  if (order.status !== "pending") return [recorded];
  const heldUntil = Date.parse(expiresAt) - reservationMarginMs;
  if (heldUntil <= now.getTime()) {
    return [recorded, { type: "OrderRejected", detail: { reason: "payment_timeout" } }];
  }
  const deadline = new Date(Math.min(now.getTime() + paymentTimeoutMs, heldUntil)).toISOString();
  return [recorded, { type: "PaymentRequested", detail: { amount: order.total, deadline } }];
}

/**
 * Compensation of step 2: nothing was reserved, so nothing is to release. The shortages go into
 * the stream with the answer, so the rejected order names what was short.
 */
export function stockReservationFailed(
  order: Order,
  shortSkus: string[],
  shortages: Shortage[] = shortagesOf(order.items, shortSkus),
): OrderEvent[] {
  if (order.answers.has("StockReservationFailed")) return [];
  const recorded: OrderEvent = { type: "StockReservationFailed", detail: { shortSkus, shortages } };
  if (order.status !== "pending") return [recorded];
  return [recorded, { type: "OrderRejected", detail: { reason: "out_of_stock" } }];
}

/** Step 3 done: the order is confirmed; inventory commits, payments captures, cart forgets the units. */
export function paymentAuthorized(order: Order, paymentId: string): OrderEvent[] {
  if (order.answers.has("PaymentAuthorized")) return [];
  const recorded: OrderEvent = { type: "PaymentAuthorized", detail: { paymentId } };
  if (order.status !== "pending") return [recorded];
  return [recorded, { type: "OrderConfirmed", detail: {} }];
}

/** Compensation of step 3: the rejection makes inventory release the reservation. */
export function paymentDeclined(order: Order, reason: string): OrderEvent[] {
  if (order.answers.has("PaymentDeclined")) return [];
  const recorded: OrderEvent = { type: "PaymentDeclined", detail: { reason } };
  if (order.status !== "pending") return [recorded];
  return [recorded, { type: "OrderRejected", detail: { reason: "payment_declined" } }];
}

/** No answer from payments in time: the step counts as failed and is compensated like a decline. */
export function paymentTimedOut(order: Order, now: Date): OrderEvent[] {
  if (order.status !== "pending" || !order.paymentDeadline || order.paymentDeadline > now) return [];
  return [{ type: "OrderRejected", detail: { reason: "payment_timeout" } }];
}

export function paymentRefunded(order: Order, amount: Money, returnId: string | null): OrderEvent[] {
  if (order.refunds.has(refundKey(returnId))) return [];
  return [{ type: "PaymentRefunded", detail: { amount, returnId } }];
}

// Commands of customers and admins.

/** Cancelling twice is one cancellation; once the parcel left, a return is the way back. */
export function cancelOrder(order: Order, cancelledBy: "customer" | "admin"): OrderEvent[] {
  if (order.status === "cancelled") return [];
  if (order.status !== "pending" && order.status !== "confirmed") {
    throw new OrderRuleError(
      "conflict",
      `Order ${order.id} is ${order.status} and can no longer be cancelled (only ${cancellable.join(" or ")} orders can)`,
    );
  }
  return [{ type: "OrderCancelled", detail: { previousStatus: order.status, cancelledBy } }];
}

export function shipOrder(
  order: Order,
  shipment: { carrier: string | null; trackingNumber: string | null },
): OrderEvent[] {
  if (order.status !== "confirmed") {
    throw new OrderRuleError(
      "conflict",
      `Order ${order.id} is ${order.status}; only a confirmed order can be shipped`,
    );
  }
  return [{ type: "OrderShipped", detail: shipment }];
}

/** Delivering twice changes nothing (a carrier's second notice). */
export function deliverOrder(order: Order): OrderEvent[] {
  if (order.status === "delivered") return [];
  if (order.status !== "shipped") {
    throw new OrderRuleError(
      "conflict",
      `Order ${order.id} is ${order.status}; only a shipped order can be delivered`,
    );
  }
  return [{ type: "OrderDelivered", detail: {} }];
}

/**
 * A return of some units of a delivered order. Units already announced in earlier returns count
 * against what was bought, so the same unit can never be refunded twice.
 */
export function requestReturn(
  order: Order,
  request: { returnId: string; items: { productId: string; quantity: number }[]; reason: string },
): OrderEvent[] {
  if (order.status !== "delivered") {
    throw new OrderRuleError(
      "conflict",
      `Order ${order.id} is ${order.status}; only a delivered order can be returned`,
    );
  }
  const requested = new Map<string, number>();
  for (const line of request.items) {
    requested.set(line.productId, (requested.get(line.productId) ?? 0) + line.quantity);
  }
  const alreadyReturned = unitsInReturns(order.returns);
  const lines: ReturnLine[] = [];
  let refund = 0;
  for (const [productId, quantity] of requested) {
    const item = order.items.find((candidate) => candidate.productId === productId);
    if (!item) {
      throw new OrderRuleError("unprocessable", `Product ${productId} is not part of order ${order.id}`);
    }
    const returnable = item.quantity - (alreadyReturned.get(productId) ?? 0);
    if (quantity > returnable) {
      throw new OrderRuleError(
        "unprocessable",
        `Only ${returnable} of product ${productId} can be returned (${item.quantity} bought, ${item.quantity - returnable} in earlier returns); ${quantity} asked`,
      );
    }
    lines.push({ productId, sku: item.sku, name: item.name, quantity });
    refund += item.unitPrice.amount * quantity;
  }
  return [
    {
      type: "ReturnRequested",
      detail: {
        returnId: request.returnId,
        items: lines,
        reason: request.reason,
        refund: { amount: refund, currency: order.total.currency },
      },
    },
  ];
}

/** Receiving a return twice changes nothing; the refund and restock follow as events. */
export function receiveReturn(order: Order, returnId: string): OrderEvent[] {
  const entry = order.returns.find((candidate) => candidate.id === returnId);
  if (!entry)
    throw new OrderRuleError("unprocessable", `Return ${returnId} is not part of order ${order.id}`);
  if (entry.status !== "requested") return [];
  return [{ type: "ReturnReceived", detail: { returnId } }];
}
