import {
  type EventContext,
  type EventEnvelope,
  StockCommitted,
  StockReleased,
  StockReservationFailed,
  StockReserved,
} from "@mercato/contracts";
import type { ServiceContext, UnitOfWork } from "@mercato/platform";
import { type Kysely, type Selectable, sql } from "kysely";
import { maxOnHand, type ReservationStatus, type StockLevels, type StockLine } from "../domain/stock.ts";
import { normalizeLines } from "../domain/stock-lines.ts";
import { putBackOnHand, recordMovement, stockColumns, toStockLevels } from "./stock-levels.ts";
import type { InventoryTables, ReservationTable } from "./tables.ts";

export interface Reservation {
  /** The order's id, which is also the reservation's. */
  orderId: string;
  status: ReservationStatus;
  /** One line per sku, in sku order. */
  lines: StockLine[];
  /** The skus that were short when the reservation was refused (status `failed`). */
  shortSkus: string[];
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReserveResult {
  /** True when every line was reserved; false when nothing was (see `reservation.shortSkus`). */
  granted: boolean;
  /** True when this order had already asked: the answer is the first one, and nothing changed. */
  replayed: boolean;
  reservation: Reservation;
}

function toReservation(row: Selectable<ReservationTable>): Reservation {
  return {
    orderId: row.id,
    status: row.status,
    lines: row.lines,
    shortSkus: row.short_skus,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function resultOf(row: Selectable<ReservationTable>, replayed: boolean): ReserveResult {
  const reservation = toReservation(row);
  // A tombstone (see leaveTombstone) holds no lines: nothing was ever granted to its order.
  const granted = reservation.status !== "failed" && reservation.lines.length > 0;
  return { granted, replayed, reservation };
}

export async function findReservation(
  db: Kysely<InventoryTables>,
  orderId: string,
): Promise<Reservation | undefined> {
  const row = await db.selectFrom("reservations").selectAll().where("id", "=", orderId).executeTakeFirst();
  return row && toReservation(row);
}

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

  // With several lines, a short one must undo the others; a single line has nothing to undo.
  const undoable = lines.length > 1;
  if (undoable) await sql`SAVEPOINT reserve_lines`.execute(transaction);
  const reserved: StockLevels[] = [];
  let short: string | undefined;
  for (const line of lines) {
    const row =
      line.quantity > maxOnHand
        ? undefined
        : await transaction
            .updateTable("stock")
            .set((eb) => ({ reserved: eb("reserved", "+", line.quantity), updated_at: new Date() }))
            .where("sku", "=", line.sku)
            .where(sql<boolean>`on_hand - reserved >= ${line.quantity}`)
            .returning(stockColumns)
            .executeTakeFirst();
    if (!row) {
      short = line.sku;
      break;
    }
    reserved.push(toStockLevels(row));
  }

  if (short !== undefined) {
    if (undoable) {
      await sql`ROLLBACK TO SAVEPOINT reserve_lines`.execute(transaction);
      await sql`RELEASE SAVEPOINT reserve_lines`.execute(transaction);
    }
    const shortages = await shortagesOf(writer, lines, short);
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

  if (undoable) await sql`RELEASE SAVEPOINT reserve_lines`.execute(transaction);
  const events: EventEnvelope[] = [];
  for (const [index, line] of lines.entries()) {
    const after = reserved[index] as StockLevels;
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
 * Every sku of the order that cannot be served now, always including the one whose update failed,
 * with what the order asked and what is available (0 for a sku inventory does not know).
 */
async function shortagesOf(
  writer: UnitOfWork<InventoryTables>,
  lines: StockLine[],
  failedSku: string,
): Promise<{ sku: string; requested: number; available: number }[]> {
  const rows = await writer.transaction
    .selectFrom("stock")
    .select(["sku", "available"])
    .where(
      "sku",
      "in",
      lines.map((line) => line.sku),
    )
    .execute();
  const available = new Map(rows.map((row) => [row.sku, row.available]));
  return lines
    .filter((line) => line.sku === failedSku || (available.get(line.sku) ?? 0) < line.quantity)
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
}

async function lockReservation(writer: UnitOfWork<InventoryTables>, orderId: string) {
  return writer.transaction
    .selectFrom("reservations")
    .selectAll()
    .where("id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
}

/** Returns an active reservation's units to available stock and marks it released or expired. */
async function giveBack(
  writer: UnitOfWork<InventoryTables>,
  row: Selectable<ReservationTable>,
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
  if (row.status !== "active") return toReservation(row);
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
  if (row.status === "expired") return sellAgain(writer, row, context);
  if (row.status !== "active") return toReservation(row);
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
  row: Selectable<ReservationTable>,
  context: EventContext,
): Promise<Reservation> {
  const { transaction } = writer;
  await sql`SAVEPOINT sell_again`.execute(transaction);
  const events: EventEnvelope[] = [];
  for (const line of row.lines) {
    const after = await transaction
      .updateTable("stock")
      .set((eb) => ({ on_hand: eb("on_hand", "-", line.quantity), updated_at: new Date() }))
      .where("sku", "=", line.sku)
      .where(sql<boolean>`on_hand - reserved >= ${line.quantity}`)
      .returning(stockColumns)
      .executeTakeFirst();
    if (!after) {
      await sql`ROLLBACK TO SAVEPOINT sell_again`.execute(transaction);
      return toReservation(row);
    }
    const movement = {
      kind: "commit",
      onHandDelta: -line.quantity,
      reservedDelta: 0,
      orderId: row.id,
    } as const;
    events.push(...(await recordMovement(writer, movement, toStockLevels(after), context)));
  }
  await sql`RELEASE SAVEPOINT sell_again`.execute(transaction);
  return committed(writer, row, events, context);
}

/** Marks the reservation sold and publishes the stock movements' events with StockCommitted. */
async function committed(
  writer: UnitOfWork<InventoryTables>,
  row: Selectable<ReservationTable>,
  events: EventEnvelope[],
  context: EventContext,
): Promise<Reservation> {
  const updated = await setStatus(writer, row.id, "committed");
  await writer.publish([...events, StockCommitted.create({ orderId: row.id, lines: row.lines }, context)]);
  return updated;
}

async function setStatus(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
  status: ReservationStatus,
): Promise<Reservation> {
  const row = await writer.transaction
    .updateTable("reservations")
    .set({ status, updated_at: new Date() })
    .where("id", "=", orderId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toReservation(row);
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
  if (row.status === "active") return giveBack(writer, row, "released", context);
  if (row.status !== "committed") return toReservation(row);
  for (const line of row.lines) {
    await putBackOnHand(writer, line, { kind: "cancel", orderId }, context);
  }
  return setStatus(writer, orderId, "restocked");
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

const expiryBatch = 100;

/**
 * Releases every active reservation whose time is up at `now`, one transaction each (so each
 * locks its skus in sku order, like a reservation does). Events carry the correlation id of the
 * request that reserved. Returns how many expired.
 */
export async function expireReservations(
  context: Pick<ServiceContext<InventoryTables>, "db" | "inTransaction">,
  now: Date,
): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await context.db
      .selectFrom("reservations")
      .select("id")
      .where("status", "=", "active")
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(expiryBatch)
      .execute();
    for (const { id } of due) {
      const done = await context.inTransaction(async (writer) => {
        const row = await lockReservation(writer, id);
        if (row?.status !== "active" || row.expires_at > now) return false;
        await giveBack(writer, row, "expired", { correlationId: row.correlation_id });
        return true;
      });
      if (done) expired += 1;
    }
    if (due.length < expiryBatch) return expired;
  }
}
