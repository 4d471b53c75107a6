import type { components } from "../../api/openapi-types.ts";

export type Order = components["schemas"]["Order"];
export type Status = Order["status"];

export const statuses: Status[] = [
  "pending",
  "confirmed",
  "rejected",
  "cancelled",
  "shipped",
  "delivered",
  "returned",
];

/** The end of an id: UUIDv7s share their leading (time) digits, so the tail tells orders apart. */
export const shortId = (id: string) => id.slice(-8);
