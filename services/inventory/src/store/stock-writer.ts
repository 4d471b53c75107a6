import type { EventEnvelope } from "@mercato/contracts";
import type { ServiceContext } from "@mercato/platform";
import type { Transaction } from "kysely";
import type { InventoryTables } from "./tables.ts";

/**
 * A transaction that changes stock and the way to publish in it. An event handler passes its own
 * `{ transaction, publish }` (the inbox transaction); routes and the expiry sweep open one with
 * `inStockTransaction`.
 */
export interface StockWriter {
  transaction: Transaction<InventoryTables>;
  publish(events: EventEnvelope[]): Promise<void>;
}

export type InventoryContext = Pick<ServiceContext<InventoryTables>, "db" | "publish">;

export function inStockTransaction<T>(
  context: InventoryContext,
  work: (writer: StockWriter) => Promise<T>,
): Promise<T> {
  return context.db
    .transaction()
    .execute((transaction) =>
      work({ transaction, publish: (events) => context.publish(transaction, events) }),
    );
}
