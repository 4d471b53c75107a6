import type { Kysely, Selectable } from "kysely";
import type {
  Order,
  OrderItem,
  OrderReturn,
  OrderStatus,
  RejectionReason,
  ReturnLine,
  ReturnStatus,
  ShippingAddress,
  Shortage,
} from "../domain/order.ts";
import { isOrderId } from "./order-stream.ts";
import type { OrdersTable, OrdersTables, ReturnsTable } from "./tables.ts";

/** The `order` of api.md, read from the view the stream keeps. */
export type OrderView = Pick<
  Order,
  | "id"
  | "userId"
  | "status"
  | "statusReason"
  | "items"
  | "total"
  | "shippingAddress"
  | "shortages"
  | "createdAt"
  | "updatedAt"
>;

/** A return as its view keeps it: the order's return, with whose order it is. */
export type ReturnView = OrderReturn & { orderId: string; userId: string };

export interface OrderListQuery {
  /** Absent: everyone's orders (admins). */
  userId?: string;
  status?: OrderStatus;
  limit: number;
  after?: { createdAt: string; id: string };
}

export function viewOf(order: Order): OrderView {
  const { id, userId, status, statusReason, items, total, shippingAddress, shortages, createdAt, updatedAt } =
    order;
  return { id, userId, status, statusReason, items, total, shippingAddress, shortages, createdAt, updatedAt };
}

export function toOrderView(row: Selectable<OrdersTable>): OrderView {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status as OrderStatus,
    statusReason: row.status_reason as RejectionReason | null,
    items: row.items as OrderItem[],
    total: { amount: Number(row.total), currency: row.currency },
    shippingAddress: row.shipping_address as ShippingAddress,
    shortages: row.shortages as Shortage[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toReturnView(row: Selectable<ReturnsTable>): ReturnView {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    status: row.status as ReturnStatus,
    items: row.items as ReturnLine[],
    reason: row.reason,
    refund: { amount: Number(row.refund_amount), currency: row.currency },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findOrderView(
  db: Kysely<OrdersTables>,
  orderId: string,
): Promise<OrderView | undefined> {
  if (!isOrderId(orderId)) return undefined;
  const row = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
  return row && toOrderView(row);
}

export async function findReturnView(
  db: Kysely<OrdersTables>,
  returnId: string,
): Promise<ReturnView | undefined> {
  if (!isOrderId(returnId)) return undefined;
  const row = await db.selectFrom("returns").selectAll().where("id", "=", returnId).executeTakeFirst();
  return row && toReturnView(row);
}

/** Newest first, past `after`: one row more than the page, to know if another follows. */
export async function listOrders(db: Kysely<OrdersTables>, query: OrderListQuery): Promise<OrderView[]> {
  let select = db.selectFrom("orders").selectAll();
  if (query.userId !== undefined) select = select.where("user_id", "=", query.userId);
  if (query.status !== undefined) select = select.where("status", "=", query.status);
  if (query.after) {
    const { createdAt, id } = query.after;
    select = select.where((eb) =>
      eb.or([
        eb("created_at", "<", new Date(createdAt)),
        eb.and([eb("created_at", "=", new Date(createdAt)), eb("id", "<", id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(query.limit + 1)
    .execute();
  return rows.map(toOrderView);
}

/** Orders still waiting for payments' answer at `now` past their deadline, the most overdue first. */
export async function findOverdueOrders(
  db: Kysely<OrdersTables>,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("orders")
    .select("id")
    .where("payment_deadline", "<=", now)
    .orderBy("payment_deadline")
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
