import type {
  CancellableStatus,
  Money,
  OrderLine,
  OrderStatus,
  RejectionReason,
  ReturnLine,
  ReturnStatus,
  ShippingAddress,
} from "@mercato/contracts";

// The shared shapes are declared in contracts (order-shapes.ts); orders names them as before.
export type { OrderStatus, RejectionReason, ReturnLine, ReturnStatus, ShippingAddress };
export type OrderItem = OrderLine;

/** A sku the order asked more of than inventory had available when it tried to reserve. */
export interface Shortage {
  sku: string;
  requested: number;
  /** Null for orders rejected before inventory said how many it had. */
  available: number | null;
}

export interface OrderReturn {
  id: string;
  status: ReturnStatus;
  items: ReturnLine[];
  reason: string;
  refund: Money;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Everything that happens to an order, in its stream: its own decisions (OrderPlaced,
 * OrderConfirmed...) and the other services' answers it acted on (StockReserved, PaymentAuthorized...).
 */
export type OrderEvent =
  | {
      type: "OrderPlaced";
      detail: {
        userId: string;
        items: OrderItem[];
        total: Money;
        shippingAddress: ShippingAddress;
        /** The cart version checked out; absent in orders placed before versions were kept. */
        cartVersion?: string;
      };
    }
  | { type: "StockReserved"; detail: { expiresAt: string } }
  | { type: "StockReservationFailed"; detail: { shortSkus: string[]; shortages?: Shortage[] } }
  | { type: "PaymentRequested"; detail: { amount: Money; deadline: string } }
  | { type: "PaymentAuthorized"; detail: { paymentId: string } }
  | { type: "PaymentDeclined"; detail: { reason: string } }
  | { type: "OrderConfirmed"; detail: Record<string, never> }
  | { type: "OrderRejected"; detail: { reason: RejectionReason } }
  | {
      type: "OrderCancelled";
      detail: { previousStatus: CancellableStatus; cancelledBy: "customer" | "admin" };
    }
  | { type: "OrderShipped"; detail: { carrier: string | null; trackingNumber: string | null } }
  | { type: "OrderDelivered"; detail: Record<string, never> }
  | {
      type: "ReturnRequested";
      detail: { returnId: string; items: ReturnLine[]; reason: string; refund: Money };
    }
  | { type: "ReturnReceived"; detail: { returnId: string } }
  | { type: "PaymentRefunded"; detail: { amount: Money; returnId: string | null } };

export type OrderEventType = OrderEvent["type"];

/** An event as the stream keeps it: numbered and dated. */
export type RecordedEvent = OrderEvent & { version: number; at: Date };

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  statusReason: RejectionReason | null;
  items: OrderItem[];
  total: Money;
  shippingAddress: ShippingAddress;
  /** The cart version this order was checked out from (see cart-version.ts), when known. */
  cartVersion: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  /** When the saga stops waiting for the payment's answer; null when it waits for nothing. */
  paymentDeadline: Date | null;
  /** Why a rejection out_of_stock happened, sku by sku; empty otherwise. */
  shortages: Shortage[];
  /** The answers already in the stream, so that a redelivered answer is recorded once. */
  answers: Set<OrderEventType>;
  /** Refunds already recorded: a return's id, or the whole order's (see refundKey). */
  refunds: Set<string>;
  returns: OrderReturn[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The order after one more event of its stream. Pure: replaying a stream always gives the same order. */
export function evolve(order: Order | undefined, event: RecordedEvent, orderId: string): Order {
  if (event.type === "OrderPlaced") {
    const { userId, items, total, shippingAddress, cartVersion } = event.detail;
    return {
      id: orderId,
      userId,
      status: "pending",
      statusReason: null,
      items,
      total,
      shippingAddress,
      cartVersion: cartVersion ?? null,
      carrier: null,
      trackingNumber: null,
      paymentDeadline: null,
      shortages: [],
      answers: new Set(),
      refunds: new Set(),
      returns: [],
      version: event.version,
      createdAt: event.at,
      updatedAt: event.at,
    };
  }
  if (!order) throw new Error(`The stream of order ${orderId} does not start with OrderPlaced`);
  const next: Order = {
    ...order,
    answers: new Set(order.answers).add(event.type),
    version: event.version,
    updatedAt: event.at,
  };
  switch (event.type) {
    case "StockReservationFailed":
      // Only a pending order is rejected for it; a late answer after a cancellation is recorded only.
      if (order.status !== "pending") return next;
      return {
        ...next,
        shortages: event.detail.shortages ?? shortagesOf(order.items, event.detail.shortSkus),
      };
    case "PaymentRequested":
      return { ...next, paymentDeadline: new Date(event.detail.deadline) };
    case "OrderConfirmed":
      return { ...next, status: "confirmed", paymentDeadline: null };
    case "OrderRejected":
      return {
        ...next,
        status: "rejected",
        statusReason: event.detail.reason,
        paymentDeadline: null,
      };
    case "OrderCancelled":
      return { ...next, status: "cancelled", paymentDeadline: null };
    case "OrderShipped":
      return {
        ...next,
        status: "shipped",
        carrier: event.detail.carrier,
        trackingNumber: event.detail.trackingNumber,
      };
    case "OrderDelivered":
      return { ...next, status: "delivered" };
    case "ReturnRequested":
      return {
        ...next,
        returns: [
          ...order.returns,
          {
            id: event.detail.returnId,
            status: "requested",
            items: event.detail.items,
            reason: event.detail.reason,
            refund: event.detail.refund,
            createdAt: event.at,
            updatedAt: event.at,
          },
        ],
      };
    case "ReturnReceived": {
      const returns = withReturnStatus(order.returns, event.detail.returnId, "received", event.at);
      return {
        ...next,
        returns,
        status: everyUnitReceived(order.items, returns) ? "returned" : order.status,
      };
    }
    case "PaymentRefunded": {
      const { returnId } = event.detail;
      const refunds = new Set(order.refunds).add(refundKey(returnId));
      if (returnId === null) return { ...next, refunds };
      return { ...next, refunds, returns: withReturnStatus(order.returns, returnId, "refunded", event.at) };
    }
    default:
      return next;
  }
}

/**
 * The shortages of these skus when inventory named only the skus (an answer from before it told
 * the numbers): what the order asked of each, and nothing known of what was available.
 */
export function shortagesOf(items: readonly OrderItem[], shortSkus: readonly string[]): Shortage[] {
  return shortSkus.map((sku) => ({
    sku,
    requested: items.filter((item) => item.sku === sku).reduce((sum, item) => sum + item.quantity, 0),
    available: null,
  }));
}

/** A cancellation refunds the whole order once; each return is refunded once. */
export function refundKey(returnId: string | null): string {
  return returnId ?? "whole-order";
}

/** Folds a whole stream, oldest first. */
export function replay(orderId: string, events: readonly RecordedEvent[]): Order | undefined {
  let order: Order | undefined;
  for (const event of events) order = evolve(order, event, orderId);
  return order;
}

function withReturnStatus(returns: OrderReturn[], returnId: string, status: ReturnStatus, at: Date) {
  return returns.map((entry) =>
    entry.id === returnId && entry.status !== "refunded" ? { ...entry, status, updatedAt: at } : entry,
  );
}

/** Units of each product that a return has announced (any status), by product id. */
export function unitsInReturns(returns: readonly OrderReturn[], only?: ReturnStatus[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const entry of returns) {
    if (only && !only.includes(entry.status)) continue;
    for (const line of entry.items)
      units.set(line.productId, (units.get(line.productId) ?? 0) + line.quantity);
  }
  return units;
}

function everyUnitReceived(items: readonly OrderItem[], returns: readonly OrderReturn[]): boolean {
  const received = unitsInReturns(returns, ["received", "refunded"]);
  return items.every((item) => (received.get(item.productId) ?? 0) >= item.quantity);
}
