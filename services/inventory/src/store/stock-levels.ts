import { type EventContext, type EventEnvelope, StockLevelChanged } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { type Kysely, sql } from "kysely";
import { onHandForLevel } from "../domain/marketplace-orders.ts";
import {
  adjustmentKind,
  adminChannel,
  OnHandBelowReservedError,
  type StockLedgerKind,
  type StockLevels,
  type StockLine,
  webChannel,
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
  /** Mercato's order id, or the channel's own order id. */
  orderId?: string;
  /** `web` unless given. */
  channel?: string;
  returnId?: string;
}

/** What is available now of each sku of `lines` that inventory stocks (not locked: for answers only). */
export async function availableOf(
  writer: UnitOfWork<InventoryTables>,
  lines: readonly StockLine[],
): Promise<Map<string, number>> {
  const rows = await writer.transaction
    .selectFrom("stock")
    .select(["sku", "available"])
    .where(
      "sku",
      "in",
      lines.map((line) => line.sku),
    )
    .execute();
  return new Map(rows.map((row) => [row.sku, row.available]));
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
      channel: movement.channel ?? webChannel,
      return_id: movement.returnId ?? null,
    })
    .execute();
  const availableBefore = after.available - movement.onHandDelta + movement.reservedDelta;
  return stockChangeEvents(availableBefore, after, context);
}

/**
 * Sells a line straight off what is available: on hand goes down, only if that many units are
 * neither sold nor reserved (the same condition as a reservation). Undefined when they are not.
 */
export async function sellFromAvailable(
  writer: UnitOfWork<InventoryTables>,
  line: StockLine,
): Promise<StockLevels | undefined> {
  const after = await writer.transaction
    .updateTable("stock")
    .set((eb) => ({ on_hand: eb("on_hand", "-", line.quantity), updated_at: new Date() }))
    .where("sku", "=", line.sku)
    .where(sql<boolean>`on_hand - reserved >= ${line.quantity}`)
    .returning(stockColumns)
    .executeTakeFirst();
  return after && toStockLevels(after);
}

/**
 * Puts units of an order back on hand (a cancelled sale, a return) and records the movement. The
 * sku exists: it was sold from this stock, and stock rows are never deleted.
 */
export async function putBackOnHand(
  writer: UnitOfWork<InventoryTables>,
  line: StockLine,
  movement: { kind: "cancel" | "return"; orderId: string; channel?: string; returnId?: string },
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
      { ...movement, onHandDelta: line.quantity, reservedDelta: 0 },
      levels,
      context,
    ),
  );
  return levels;
}

export interface SetOnHandOptions {
  /** Who set it, for the ledger: `admin` (the API) unless given. */
  channel?: string;
  /**
   * A count below what is reserved becomes what is reserved (a seller's feed, see onHandForLevel)
   * instead of being refused.
   */
  keepReserved?: boolean;
}

/**
 * Sets a sku's on-hand count, creating the sku when it is new. Refuses (OnHandBelowReservedError)
 * a count below what is reserved, unless `keepReserved`; the CHECK constraint would refuse it too,
 * less clearly.
 */
export async function setOnHand(
  writer: UnitOfWork<InventoryTables>,
  sku: string,
  counted: number,
  context: EventContext,
  options: SetOnHandOptions = {},
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
  const onHand = options.keepReserved ? onHandForLevel(counted, before.reserved) : counted;
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
        channel: options.channel ?? adminChannel,
      },
      levels,
      context,
    ),
  );
  return { levels, created };
}
