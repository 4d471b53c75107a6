import type { CancellableStatus, Money } from "@mercato/contracts";
import {
  type Order,
  type OrderEvent,
  type OrderItem,
  type ReturnLine,
  refundKey,
  type ShippingAddress,
  type Shortage,
  shortagesOf,
  unitsInReturns,
} from "./order.ts";
import { canMove, refusedMove } from "./order-status.ts";

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

/** What one order may hold: the limits of its events (OrderPlaced's items and money). */
export const maxOrderLines = 100;
export const maxOrderTotal = 1_000_000_000_00;

// The checkout saga's steps, in the order of the table in checkout-saga.ts, which says who does
// what and which event undoes it.

/** Step 1, checkout: the cart's lines become a pending order, if they make one. */
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

// The answers to steps 2 and 3. Each answer is recorded once; it moves the order only while it is pending.
// An answer that comes after the order left `pending` (a late authorization after a timeout) is
// only recorded: inventory and payments undo their own side when they see the rejection or the
// cancellation, so orders never has to chase them.

/** How long before the reservation expires the saga stops waiting for the payment. */
export const reservationMarginMs = 30_000;

/**
 * Step 2 (inventory reserves) succeeded: stock is held, so the card can be asked (never before, so a sold-out order is never
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
 * Step 2 failed: the rejection compensates step 1; nothing was reserved, so inventory has nothing
 * to release. The shortages go into the stream with the answer, so the rejected order names what
 * was short.
 */
export function stockReservationFailed(
  order: Order,
  shortSkus: string[],
  shortages: Shortage[] = shortagesOf(order.items, shortSkus),
): OrderEvent[] {
  if (order.answers.has("StockReservationFailed")) return [];
  const recorded: OrderEvent = { type: "StockReservationFailed", detail: { shortSkus, shortages } };
  if (!canMove(order.status, "rejected")) return [recorded];
  return [recorded, { type: "OrderRejected", detail: { reason: "out_of_stock" } }];
}

/** Step 3 (payments authorizes) succeeded, so step 4: the order is confirmed; inventory commits, payments captures, cart forgets the units. */
export function paymentAuthorized(order: Order, paymentId: string): OrderEvent[] {
  if (order.answers.has("PaymentAuthorized")) return [];
  const recorded: OrderEvent = { type: "PaymentAuthorized", detail: { paymentId } };
  if (!canMove(order.status, "confirmed")) return [recorded];
  return [recorded, { type: "OrderConfirmed", detail: {} }];
}

/** Step 3 failed: the rejection compensates steps 2 (inventory releases the reservation) and 1. */
export function paymentDeclined(order: Order, reason: string): OrderEvent[] {
  if (order.answers.has("PaymentDeclined")) return [];
  const recorded: OrderEvent = { type: "PaymentDeclined", detail: { reason } };
  if (!canMove(order.status, "rejected")) return [recorded];
  return [recorded, { type: "OrderRejected", detail: { reason: "payment_declined" } }];
}

/** Step 3's deadline: no answer from payments in time counts as failed, compensated like a decline. */
export function paymentTimedOut(order: Order, now: Date): OrderEvent[] {
  if (!canMove(order.status, "rejected") || !order.paymentDeadline || order.paymentDeadline > now) return [];
  return [{ type: "OrderRejected", detail: { reason: "payment_timeout" } }];
}

/** The answer to payments' compensation of a confirmed order (a refund), and to a received return. */
export function paymentRefunded(order: Order, amount: Money, returnId: string | null): OrderEvent[] {
  if (order.refunds.has(refundKey(returnId))) return [];
  return [{ type: "PaymentRefunded", detail: { amount, returnId } }];
}

// Commands of customers and admins, guarded by the transition table of order-status.ts.

/** Cancelling twice is one cancellation; once the parcel left, a return is the way back. */
export function cancelOrder(order: Order, cancelledBy: "customer" | "admin"): OrderEvent[] {
  if (order.status === "cancelled") return [];
  if (!canMove(order.status, "cancelled")) {
    throw new OrderRuleError("conflict", refusedMove(order.id, order.status, "cancelled"));
  }
  // The table lets only pending and confirmed orders be cancelled, which is what the event allows.
  const previousStatus = order.status as CancellableStatus;
  return [{ type: "OrderCancelled", detail: { previousStatus, cancelledBy } }];
}

export function shipOrder(
  order: Order,
  shipment: { carrier: string | null; trackingNumber: string | null },
): OrderEvent[] {
  if (!canMove(order.status, "shipped")) {
    throw new OrderRuleError("conflict", refusedMove(order.id, order.status, "shipped"));
  }
  return [{ type: "OrderShipped", detail: shipment }];
}

/** Delivering twice changes nothing (a carrier's second notice). */
export function deliverOrder(order: Order): OrderEvent[] {
  if (order.status === "delivered") return [];
  if (!canMove(order.status, "delivered")) {
    throw new OrderRuleError("conflict", refusedMove(order.id, order.status, "delivered"));
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
  // A return leads to `returned` once every unit is back, so it needs a status that may get there.
  if (!canMove(order.status, "returned")) {
    throw new OrderRuleError("conflict", refusedMove(order.id, order.status, "returned"));
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
