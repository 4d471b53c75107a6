import type { UnitOfWork } from "@mercato/platform";
import type { Kysely, Selectable } from "kysely";
import { wasGranted } from "../domain/reservation-steps.ts";
import type { ReservationStatus, StockLine } from "../domain/stock.ts";
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

export type ReservationRow = Selectable<ReservationTable>;

export function toReservation(row: ReservationRow): Reservation {
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

export function resultOf(row: ReservationRow, replayed: boolean): ReserveResult {
  const reservation = toReservation(row);
  return { granted: wasGranted(reservation), replayed, reservation };
}

export async function findReservation(
  db: Kysely<InventoryTables>,
  orderId: string,
): Promise<Reservation | undefined> {
  const row = await db.selectFrom("reservations").selectAll().where("id", "=", orderId).executeTakeFirst();
  return row && toReservation(row);
}

/** The reservation, locked until the transaction ends: every change of status goes through this. */
export async function lockReservation(
  writer: UnitOfWork<InventoryTables>,
  orderId: string,
): Promise<ReservationRow | undefined> {
  return writer.transaction
    .selectFrom("reservations")
    .selectAll()
    .where("id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setStatus(
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
