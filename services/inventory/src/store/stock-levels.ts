import { type EventContext, type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import type { Kysely } from "kysely";
import {
  adjustmentKind,
  OnHandBelowReservedError,
  type StockLedgerKind,
  type StockLevels,
  type StockLine,
} from "../domain/stock.ts";
import { stockChangeEvents } from "../domain/stock-events.ts";
import type { InventoryTables } from "./tables.ts";

export const stockColumns = ["sku", "on_hand", "reserved", "available"] as const;

export function toStockLevels(row: {
  sku: string;
  on_hand: number;
  reserved: number;
  available: number;
}): StockLevels {
  return { sku: row.sku, onHand: row.on_hand, reserved: row.reserved, available: row.available };
}

export async function findStock(db: Kysely<InventoryTables>, sku: string): Promise<StockLevels | undefined> {
  const row = await db.selectFrom("stock").select(stockColumns).where("sku", "=", sku).executeTakeFirst();
  return row && toStockLevels(row);
}

export interface StockMovement {
  kind: StockLedgerKind;
  onHandDelta: number;
  reservedDelta: number;
  orderId?: string;
}

/**
 * Writes a movement already applied to `after` into the ledger; answers the events that announce
 * the new levels, for the caller to publish with its own (one outbox write per change).
 */
export async function recordMovement(
  writer: UnitOfWork<InventoryTables>,
  movement: StockMovement,
  after: StockLevels,
  context: EventContext,
): Promise<EventEnvelope[]> {
  await writer.transaction
    .insertInto("stock_ledger")
    .values({
      sku: after.sku,
      kind: movement.kind,
      on_hand_delta: movement.onHandDelta,
      reserved_delta: movement.reservedDelta,
      order_id: movement.orderId ?? null,
    })
    .execute();
  const availableBefore = after.available - movement.onHandDelta + movement.reservedDelta;
  return stockChangeEvents(availableBefore, after, context);
}

/**
 * Puts units of an order back on hand (a cancelled sale, a return) and records the movement. The
 * sku exists: it was sold from this stock, and stock rows are never deleted.
 */
export async function putBackOnHand(
  writer: UnitOfWork<InventoryTables>,
  line: StockLine,
  movement: { kind: "cancel" | "return"; orderId: string },
  context: EventContext,
): Promise<StockLevels> {
  const after = await writer.transaction
    .updateTable("stock")
    .set((eb) => ({ on_hand: eb("on_hand", "+", line.quantity), updated_at: new Date() }))
    .where("sku", "=", line.sku)
    .returning(stockColumns)
    .executeTakeFirstOrThrow();
  const levels = toStockLevels(after);
  await writer.publish(
    await recordMovement(
      writer,
      { kind: movement.kind, onHandDelta: line.quantity, reservedDelta: 0, orderId: movement.orderId },
      levels,
      context,
    ),
  );
  return levels;
}

/**
 * Sets a sku's on-hand count, creating the sku when it is new. Refuses (OnHandBelowReservedError)
 * a count below what is reserved; the CHECK constraint would refuse it too, less clearly.
 */
export async function setOnHand(
  writer: UnitOfWork<InventoryTables>,
  sku: string,
  onHand: number,
  context: EventContext,
): Promise<{ levels: StockLevels; created: boolean }> {
  const { transaction } = writer;
  const inserted = await transaction
    .insertInto("stock")
    .values({ sku, on_hand: 0 })
    .onConflict((conflict) => conflict.column("sku").doNothing())
    .returning("sku")
    .executeTakeFirst();
  const before = await transaction
    .selectFrom("stock")
    .select(stockColumns)
    .where("sku", "=", sku)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (onHand < before.reserved) throw new OnHandBelowReservedError(sku, onHand, before.reserved);
  const created = inserted !== undefined;
  if (onHand === before.on_hand) {
    const levels = toStockLevels(before);
    if (created) await writer.publish([StockLevelChanged.create(levels, context)]);
    return { levels, created };
  }
  const after = await transaction
    .updateTable("stock")
    .set({ on_hand: onHand, updated_at: new Date() })
    .where("sku", "=", sku)
    .returning(stockColumns)
    .executeTakeFirstOrThrow();
  const levels = toStockLevels(after);
  await writer.publish(
    await recordMovement(
      writer,
      {
        kind: adjustmentKind(before.on_hand, onHand),
        onHandDelta: onHand - before.on_hand,
        reservedDelta: 0,
      },
      levels,
      context,
    ),
  );
  return { levels, created };
}
