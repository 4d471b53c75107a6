import type { EventType } from "../event-type.ts";
import * as catalog from "./catalog.ts";
import * as inventory from "./inventory.ts";

export * from "./catalog.ts";
export * from "./inventory.ts";

/** Every declared event, for the catalog in docs/ and for validating events by type. */
export const allEventTypes: EventType<unknown>[] = [...Object.values(catalog), ...Object.values(inventory)];
