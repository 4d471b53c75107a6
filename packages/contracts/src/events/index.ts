import type { EventType } from "../event-type.ts";
import * as cart from "./cart.ts";
import * as catalog from "./catalog.ts";
import * as identity from "./identity.ts";
import * as inventory from "./inventory.ts";
import * as notifications from "./notifications.ts";
import * as orders from "./orders.ts";
import * as payments from "./payments.ts";
import * as recommendations from "./recommendations.ts";
import * as webhooks from "./webhooks.ts";

export * from "./cart.ts";
export * from "./catalog.ts";
export * from "./identity.ts";
export * from "./inventory.ts";
export * from "./notifications.ts";
export * from "./orders.ts";
export * from "./payments.ts";
export * from "./recommendations.ts";
export * from "./webhooks.ts";

/** Every declared event, for the catalog in docs/ and for validating events by type. */
export const allEventTypes: EventType<unknown>[] = [
  ...Object.values(cart),
  ...Object.values(catalog),
  ...Object.values(identity),
  ...Object.values(inventory),
  ...Object.values(notifications),
  ...Object.values(orders),
  ...Object.values(payments),
  ...Object.values(recommendations),
  ...Object.values(webhooks),
];
