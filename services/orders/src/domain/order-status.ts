import type { OrderStatus } from "./order.ts";

/**
 * Where an order may go from each status, and nowhere else. The saga moves a pending order
 * (confirmed or rejected); customers and admins cancel, ship, deliver; the last received unit of a
 * return makes it returned. rejected, cancelled and returned are ends. The guards of decisions.ts
 * and their 409 messages both read this table.
 */
export const orderTransitions = {
  pending: ["confirmed", "rejected", "cancelled"],
  confirmed: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: ["returned"],
  rejected: [],
  cancelled: [],
  returned: [],
} as const satisfies Record<OrderStatus, readonly OrderStatus[]>;

/** True when the table lets an order in status `from` become `to`. */
export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return (orderTransitions[from] as readonly OrderStatus[]).includes(to);
}

/** The statuses the table lets an order become `to` from, in the table's order. */
export function statusesBefore(to: OrderStatus): OrderStatus[] {
  return (Object.keys(orderTransitions) as OrderStatus[]).filter((from) => canMove(from, to));
}

/**
 * Why an order cannot become `to`, for the 409: its status now and the statuses that allow it.
 * A move open from one status reads "only a confirmed order can be shipped"; one open from
 * several, "can no longer be cancelled (only pending or confirmed orders can)".
 */
export function refusedMove(orderId: string, from: OrderStatus, to: OrderStatus): string {
  const allowed = statusesBefore(to);
  if (allowed.length === 1) return `Order ${orderId} is ${from}; only a ${allowed[0]} order can be ${to}`;
  return `Order ${orderId} is ${from} and can no longer be ${to} (only ${allowed.join(" or ")} orders can)`;
}
