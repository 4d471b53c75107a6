import { type EventContext, type EventEnvelope, StockCommitted, StockReleased } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { cancelStep, commitStep, releaseStep } from "../domain/reservation-steps.ts";
import type { StockLevels } from "../domain/stock.ts";
import { takeAllOrNothing } from "./all-or-nothing.ts";
import {
  lockReservation,
  type Reservation,
  type ReservationRow,
  setStatus,
  toReservation,
} from "./reservation-rows.ts";
import {
  putBackOnHand,
  recordMovement,
  sellFromAvailable,
  stockColumns,
  toStockLevels,
} from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

/**
 * Gives an order's reserved units back (the order was rejected or cancelled). Idempotent: a
 * reservation that is not active is returned as it is. Undefined when the order reserved nothing.
 */
export async function release(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
  context: EventContext,
): Promise<Reservation | undefined> {
  const row = await lockReservation(writer, orderId);
  if (!row) return undefined;
  if (releaseStep(row.status) === "unchanged") return toReservation(row);
  return giveBack(writer, row, "released", context);
}

/**
 * Turns an order's reservation into a sale: on hand and reserved both go down by each line; an
 * expired one is sold again from what is available (see sellAgain). Idempotent: any other
 * reservation that is not active (already committed, or released or failed, which the caller
 * must handle) is returned as it is. Undefined when there is none.
 */
export async function commit(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
  context: EventContext,
): Promise<Reservation | undefined> {
  const row = await lockReservation(writer, orderId);
  if (!row) return undefined;
  const step = commitStep(row.status);
  if (step === "unchanged") return toReservation(row);
  if (step === "sell-again") return sellAgain(writer, row, context);
  const events: EventEnvelope[] = [];
  for (const line of row.lines) {
    const after = await writer.transaction
      .updateTable("stock")
      .set((eb) => ({
        on_hand: eb("on_hand", "-", line.quantity),
        reserved: eb("reserved", "-", line.quantity),
        updated_at: new Date(),
      }))
      .where("sku", "=", line.sku)
      .returning(stockColumns)
      .executeTakeFirstOrThrow();
    const movement = {
      kind: "commit",
      onHandDelta: -line.quantity,
      reservedDelta: -line.quantity,
      orderId,
    } as const;
    events.push(...(await recordMovement(writer, movement, toStockLevels(after), context)));
  }
  return committed(writer, row, events, context);
}

/**
 * The order was confirmed after its reservation expired (a saga held up for minutes): its units
 * are taken from what is available now, all or none, as a reservation would take them. When
 * they are gone the reservation stays `expired`, and the caller must raise it: the order is paid
 * for and its units were sold to someone else.
 */
async function sellAgain(
  writer: UnitOfWork<InventoryTables>,
  row: ReservationRow,
  context: EventContext,
): Promise<Reservation> {
  const outcome = await takeAllOrNothing(writer, row.lines, (line) => sellFromAvailable(writer, line));
  if (outcome.short !== undefined) return toReservation(row);
  const events: EventEnvelope[] = [];
  for (const [index, line] of row.lines.entries()) {
    const movement = {
      kind: "commit",
      onHandDelta: -line.quantity,
      reservedDelta: 0,
      orderId: row.id,
    } as const;
    events.push(...(await recordMovement(writer, movement, outcome.taken[index] as StockLevels, context)));
  }
  return committed(writer, row, events, context);
}

/** Marks the reservation sold and publishes the stock movements' events with StockCommitted. */
async function committed(
  writer: UnitOfWork<InventoryTables>,
  row: ReservationRow,
  events: EventEnvelope[],
  context: EventContext,
): Promise<Reservation> {
  const updated = await setStatus(writer, row.id, "committed");
  await writer.publish([...events, StockCommitted.create({ orderId: row.id, lines: row.lines }, context)]);
  return updated;
}

/**
 * Undoes an order's reservation because the order was cancelled: an active one is released; a
 * committed one has its units put back on hand and becomes `restocked`, so a second cancellation
 * changes nothing. Any other is returned as it is. Undefined when the order reserved nothing.
 */
export async function cancel(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
  context: EventContext,
): Promise<Reservation | undefined> {
  const row = await lockReservation(writer, orderId);
  if (!row) return undefined;
  const step = cancelStep(row.status);
  if (step === "unchanged") return toReservation(row);
  if (step === "give-back") return giveBack(writer, row, "released", context);
  for (const line of row.lines) {
    await putBackOnHand(writer, line, { kind: "cancel", orderId }, context);
  }
  return setStatus(writer, orderId, "restocked");
}

/** Returns an active reservation's units to available stock and marks it released or expired. */
export async function giveBack(
  writer: UnitOfWork<InventoryTables>,
  row: ReservationRow,
  status: "released" | "expired",
  context: EventContext,
): Promise<Reservation> {
  const events: EventEnvelope[] = [];
  for (const line of row.lines) {
    const after = await writer.transaction
      .updateTable("stock")
      .set((eb) => ({ reserved: eb("reserved", "-", line.quantity), updated_at: new Date() }))
      .where("sku", "=", line.sku)
      .returning(stockColumns)
      .executeTakeFirstOrThrow();
    const movement = {
      kind: "release",
      onHandDelta: 0,
      reservedDelta: -line.quantity,
      orderId: row.id,
    } as const;
    events.push(...(await recordMovement(writer, movement, toStockLevels(after), context)));
  }
  const updated = await setStatus(writer, row.id, status);
  events.push(
    StockReleased.create({ orderId: row.id, lines: row.lines, expired: status === "expired" }, context),
  );
  await writer.publish(events);
  return updated;
}
