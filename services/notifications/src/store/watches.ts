import type { Money } from "@mercato/contracts";
import type { Kysely, Selectable } from "kysely";
import type { Watch, WatchKind } from "../domain/watch-notices.ts";
import { lockNotificationOrder } from "./notifications.ts";
import type { NotificationsTables, WatchesTable } from "./tables.ts";

/** The new watch, or undefined when the user already watches the product for that kind. */
export async function createWatch(
  db: Kysely<NotificationsTables>,
  watch: { id: string; userId: string; productId: string; kind: WatchKind; targetPrice: Money | null },
): Promise<Watch | undefined> {
  const row = await db
    .insertInto("watches")
    .values({
      id: watch.id,
      user_id: watch.userId,
      product_id: watch.productId,
      kind: watch.kind,
      target_amount: watch.targetPrice?.amount ?? null,
      target_currency: watch.targetPrice?.currency ?? null,
    })
    .onConflict((conflict) => conflict.columns(["user_id", "product_id", "kind"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && watchOf(row);
}

export async function countWatches(db: Kysely<NotificationsTables>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("watches")
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A user's watches, newest first (ids are UUIDv7), from just before `beforeId` when given. */
export async function listWatches(
  db: Kysely<NotificationsTables>,
  query: { userId: string; limit: number; beforeId?: string | undefined },
): Promise<{ items: Watch[]; more: boolean }> {
  let select = db
    .selectFrom("watches")
    .selectAll()
    .where("user_id", "=", query.userId)
    .orderBy("id", "desc")
    .limit(query.limit + 1);
  if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
  const rows = await select.execute();
  return { items: rows.slice(0, query.limit).map(watchOf), more: rows.length > query.limit };
}

/** Deletes one of the user's watches; false when it is not theirs. */
export async function deleteWatch(
  db: Kysely<NotificationsTables>,
  userId: string,
  id: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("watches")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Fires the product's armed watches of `kind` that `fires` accepts, each exactly once: the rows
 * are locked, chosen, and stamped `fired_at` in this transaction, so a concurrent event for the
 * same product waits and then finds them fired. Answers the watches fired now.
 */
export async function fireWatches(
  transaction: Kysely<NotificationsTables>,
  productId: string,
  kind: WatchKind,
  fires: (watch: Watch) => boolean,
): Promise<Watch[]> {
  await lockNotificationOrder(transaction);
  const armed = await transaction
    .selectFrom("watches")
    .selectAll()
    .where("product_id", "=", productId)
    .where("kind", "=", kind)
    .where("fired_at", "is", null)
    .forUpdate()
    .execute();
  const chosen = armed.map(watchOf).filter(fires);
  if (chosen.length === 0) return [];
  const fired = await transaction
    .updateTable("watches")
    .set({ fired_at: new Date() })
    .where(
      "id",
      "in",
      chosen.map((watch) => watch.id),
    )
    .where("fired_at", "is", null)
    .returningAll()
    .execute();
  return fired.map(watchOf);
}

/** A deleted product's watches can never fire: they go with it. */
export async function deleteWatchesOfProduct(
  transaction: Kysely<NotificationsTables>,
  productId: string,
): Promise<void> {
  await transaction.deleteFrom("watches").where("product_id", "=", productId).execute();
}

function watchOf(row: Selectable<WatchesTable>): Watch {
  return {
    id: row.id,
    userId: row.user_id,
    productId: row.product_id,
    kind: row.kind as WatchKind,
    targetPrice:
      row.target_amount === null || row.target_currency === null
        ? null
        : { amount: Number(row.target_amount), currency: row.target_currency },
    createdAt: row.created_at,
    firedAt: row.fired_at,
  };
}
