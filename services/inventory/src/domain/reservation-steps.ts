import type { ReservationStatus } from "./stock.ts";

// The reservation state machine: what each request does to a reservation in each status. The
// store carries the step out under the reservation's row lock; any status not named leaves the
// reservation as it is, which is what makes every request safe to repeat.

/** Releasing (the order was rejected): only an active reservation has units to give back. */
export function releaseStep(status: ReservationStatus): "give-back" | "unchanged" {
  return status === "active" ? "give-back" : "unchanged";
}

/**
 * Committing (the order was confirmed): an active reservation is sold; an expired one is sold
 * again from what is available, if it still is (the saga was held up past the expiry).
 */
export function commitStep(status: ReservationStatus): "sell" | "sell-again" | "unchanged" {
  if (status === "active") return "sell";
  if (status === "expired") return "sell-again";
  return "unchanged";
}

/**
 * Cancelling: an active reservation is released; a committed one has its units put back on hand
 * and becomes `restocked`, so that a second cancellation finds nothing left to undo.
 */
export function cancelStep(status: ReservationStatus): "give-back" | "restock" | "unchanged" {
  if (status === "active") return "give-back";
  if (status === "committed") return "restock";
  return "unchanged";
}

/** Expiring: an active reservation whose time is up at `now` is released as `expired`. */
export function expiryStep(
  reservation: { status: ReservationStatus; expiresAt: Date },
  now: Date,
): "expire" | "unchanged" {
  return reservation.status === "active" && reservation.expiresAt <= now ? "expire" : "unchanged";
}

/**
 * Whether an order got its units: not when its reservation failed, nor for a tombstone (a
 * reservation with no lines, left by an order rejected or cancelled before it reserved).
 */
export function wasGranted(reservation: { status: ReservationStatus; lines: readonly unknown[] }): boolean {
  return reservation.status !== "failed" && reservation.lines.length > 0;
}
