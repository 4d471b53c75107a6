import type { QueryCreator, Transaction } from "kysely";
import type { Order, OrderEvent, OrderReturn, RecordedEvent } from "../domain/order.ts";
import type { OrdersTables } from "./tables.ts";

/**
 * Appends the events to the order's stream and writes the order view from the order's new state,
 * in one statement (the view never shows a state the stream does not hold), then the return views
 * the events touched.
 */
export async function appendAndProject(
  transaction: Transaction<OrdersTables>,
  before: Order | undefined,
  after: Order,
  events: readonly RecordedEvent[],
): Promise<void> {
  const appended = (db: QueryCreator<OrdersTables>) =>
    db.insertInto("order_events").values(
      events.map((event) => ({
        order_id: after.id,
        version: event.version,
        type: event.type,
        detail: JSON.stringify(event.detail),
        at: event.at,
      })),
    );
  const row = {
    status: after.status,
    status_reason: after.statusReason,
    carrier: after.carrier,
    tracking_number: after.trackingNumber,
    version: after.version,
    payment_deadline: after.paymentDeadline,
    shortages: JSON.stringify(after.shortages),
    updated_at: after.updatedAt,
  };
  if (before) {
    await transaction
      .with("appended", appended)
      .updateTable("orders")
      .set(row)
      .where("id", "=", after.id)
      .execute();
  } else {
    await transaction
      .with("appended", appended)
      .insertInto("orders")
      .values({
        ...row,
        id: after.id,
        user_id: after.userId,
        items: JSON.stringify(after.items),
        total: after.total.amount,
        currency: after.total.currency,
        shipping_address: JSON.stringify(after.shippingAddress),
        cart_version: after.cartVersion,
        created_at: after.createdAt,
      })
      .execute();
  }
  for (const entry of returnsTouched(after, events)) await projectReturn(transaction, after, entry);
}

function returnsTouched(order: Order, events: readonly OrderEvent[]): OrderReturn[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type === "ReturnRequested" || event.type === "ReturnReceived") ids.add(event.detail.returnId);
    if (event.type === "PaymentRefunded" && event.detail.returnId !== null) ids.add(event.detail.returnId);
  }
  return order.returns.filter((entry) => ids.has(entry.id));
}

async function projectReturn(
  transaction: Transaction<OrdersTables>,
  order: Order,
  entry: OrderReturn,
): Promise<void> {
  await transaction
    .insertInto("returns")
    .values({
      id: entry.id,
      order_id: order.id,
      user_id: order.userId,
      status: entry.status,
      items: JSON.stringify(entry.items),
      reason: entry.reason,
      refund_amount: entry.refund.amount,
      currency: entry.refund.currency,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
    })
    .onConflict((conflict) =>
      conflict.column("id").doUpdateSet({ status: entry.status, updated_at: entry.updatedAt }),
    )
    .execute();
}
