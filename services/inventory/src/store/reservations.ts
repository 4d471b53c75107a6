import {
  type EventContext,
  type EventEnvelope,
  StockReservationFailed,
  StockReserved,
} from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { sql } from "kysely";
import { maxOnHand, type StockLevels, type StockLine } from "../domain/stock.ts";
import { normalizeLines, shortagesOf } from "../domain/stock-lines.ts";
import { takeAllOrNothing } from "./all-or-nothing.ts";
import { type ReserveResult, resultOf } from "./reservation-rows.ts";
import { availableOf, recordMovement, stockColumns, toStockLevels } from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

/**
 * Reserves every line of an order, or none: each line is one conditional UPDATE that only takes
 * what is available, so concurrent orders can never oversell, and a short line rolls the others
 * back to a savepoint. The reservation row, written first, makes a second call for the same order
 * wait for the first and then return its outcome; an order that already has a tombstone gets it
 * back (`granted: false`) and reserves nothing. Publishes StockReserved or StockReservationFailed,
 * and nothing when replayed.
 */
export async function reserve(
  writer: UnitOfWork<InventoryTables>,
  request: { orderId: string; lines: readonly StockLine[]; ttlMs: number; now?: Date },
  context: EventContext,
): Promise<ReserveResult> {
  const { transaction } = writer;
  const lines = normalizeLines(request.lines);
  const expiresAt = new Date((request.now ?? new Date()).getTime() + request.ttlMs);
  const created = await transaction
    .insertInto("reservations")
    .values({
      id: request.orderId,
      status: "active",
      lines: JSON.stringify(lines),
      expires_at: expiresAt,
      correlation_id: context.correlationId,
    })
    .onConflict((conflict) => conflict.column("id").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!created) {
    const first = await transaction
      .selectFrom("reservations")
      .selectAll()
      .where("id", "=", request.orderId)
      .executeTakeFirstOrThrow();
    return resultOf(first, true);
  }

  const outcome = await takeAllOrNothing(writer, lines, async (line) => {
    if (line.quantity > maxOnHand) return undefined;
    const row = await transaction
      .updateTable("stock")
      .set((eb) => ({ reserved: eb("reserved", "+", line.quantity), updated_at: new Date() }))
      .where("sku", "=", line.sku)
      .where(sql<boolean>`on_hand - reserved >= ${line.quantity}`)
      .returning(stockColumns)
      .executeTakeFirst();
    return row && toStockLevels(row);
  });

  if (outcome.short !== undefined) {
    const available = await availableOf(writer, lines);
    const shortages = shortagesOf(lines, available, outcome.short);
    const shortSkus = shortages.map((shortage) => shortage.sku);
    const failed = await transaction
      .updateTable("reservations")
      .set({ status: "failed", short_skus: JSON.stringify(shortSkus), updated_at: new Date() })
      .where("id", "=", request.orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writer.publish([
      StockReservationFailed.create(
        { orderId: request.orderId, lines, reason: "out_of_stock", shortSkus, shortages },
        context,
      ),
    ]);
    return resultOf(failed, false);
  }

  const events: EventEnvelope[] = [];
  for (const [index, line] of lines.entries()) {
    const after = outcome.taken[index] as StockLevels;
    const movement = {
      kind: "reserve",
      onHandDelta: 0,
      reservedDelta: line.quantity,
      orderId: request.orderId,
    } as const;
    events.push(...(await recordMovement(writer, movement, after, context)));
  }
  events.push(
    StockReserved.create({ orderId: request.orderId, lines, expiresAt: expiresAt.toISOString() }, context),
  );
  await writer.publish(events);
  return resultOf(created, false);
}

/**
 * Marks an order that has no reservation yet as released, with no lines, so that its OrderPlaced
 * arriving afterwards (redriven from the dead-letter queue, say) reserves nothing and publishes
 * nothing: stock must never stay held for an order that is already over. True when it left one;
 * false when the order already has a reservation, which the caller then releases or cancels.
 */
export async function leaveTombstone(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
  context: EventContext,
): Promise<boolean> {
  const left = await writer.transaction
    .insertInto("reservations")
    .values({
      id: orderId,
      status: "released",
      lines: JSON.stringify([]),
      expires_at: new Date(),
      correlation_id: context.correlationId,
    })
    .onConflict((conflict) => conflict.column("id").doNothing())
    .returning("id")
    .executeTakeFirst();
  return left !== undefined;
}
