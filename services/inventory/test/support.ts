import type { EventEnvelope } from "@mercato/contracts";
import type { Host, ServiceContext } from "@mercato/platform";
import { startTestHost, type TestAuthority } from "@mercato/platform/testing";
import { type InventoryTables, inventoryService } from "../src/index.ts";

export interface InventoryHost {
  host: Host;
  context: ServiceContext<InventoryTables>;
  /** Every event inventory published since start, in arrival order. */
  events: EventEnvelope[];
  /** True once no queue holds work and the outbox is sent. */
  settled(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A host running inventory, with a recorder of everything inventory publishes; with `postgres`,
 * on the PostgreSQL server under a database of its own.
 */
export async function startInventoryHost(
  options: { postgres?: boolean; auth?: TestAuthority } = {},
): Promise<InventoryHost> {
  const started = await startTestHost({
    services: [inventoryService],
    ...(options.postgres ? { distributed: "database" as const } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    record: { source: ["mercato.inventory"] },
  });
  return {
    host: started.host,
    context: started.context<InventoryTables>(),
    events: started.events,
    settled: started.settled,
    close: started.close,
  };
}

export { waitFor } from "@mercato/platform/testing";

/** The details of the events of one type, in order. */
export function detailsOf(events: EventEnvelope[], detailType: string): unknown[] {
  return events.filter((event) => event["detail-type"] === detailType).map((event) => event.detail);
}
