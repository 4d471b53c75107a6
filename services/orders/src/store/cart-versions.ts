import type { Kysely } from "kysely";
import type { OrderStatus } from "../domain/order.ts";
import { type OrderView, toOrderView } from "./order-views.ts";
import type { OrdersTables } from "./tables.ts";

/**
 * Orders whose cart version may be checked out again: their cart was not emptied. The same list
 * is the predicate of the unique index orders_one_per_cart_version (migration 0003).
 */
const endedWithoutSale: OrderStatus[] = ["rejected", "cancelled"];

const uniqueViolation = "23505";
const oneOrderPerCartVersion = "orders_one_per_cart_version";

/** True when `error` is the database refusing a second live order of one cart version. */
export function isCartVersionTaken(error: unknown): boolean {
  const { code, constraint, message } = error as { code?: string; constraint?: string; message?: string };
  return (
    code === uniqueViolation &&
    (constraint === oneOrderPerCartVersion || (message ?? "").includes(oneOrderPerCartVersion))
  );
}

/** The user's live order of this cart version: the one a repeated checkout answers with. */
export async function findLiveOrderOfCartVersion(
  db: Kysely<OrdersTables>,
  userId: string,
  cartVersion: string,
): Promise<OrderView | undefined> {
  const row = await db
    .selectFrom("orders")
    .selectAll()
    .where("user_id", "=", userId)
    .where("cart_version", "=", cartVersion)
    .where("status", "not in", endedWithoutSale)
    .executeTakeFirst();
  return row && toOrderView(row);
}
