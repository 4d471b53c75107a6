import type { EventContext } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import type { StockLine } from "../domain/stock.ts";
import { normalizeLines } from "../domain/stock-lines.ts";
import { putBackOnHand } from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

/**
 * Puts a return's units back on hand, once per return id: the row written first makes the same
 * return, received again, restock nothing. Lines are taken in sku order, like every writer of
 * several stock rows. True when this call restocked; false for a return already received.
 */
export async function receiveReturn(
  writer: UnitOfWork<InventoryTables>,
  received: { returnId: string; orderId: string; lines: readonly StockLine[] },
  context: EventContext,
): Promise<boolean> {
  const lines = normalizeLines(received.lines);
  const recorded = await writer.transaction
    .insertInto("received_returns")
    .values({ return_id: received.returnId, order_id: received.orderId, lines: JSON.stringify(lines) })
    .onConflict((conflict) => conflict.column("return_id").doNothing())
    .returning("return_id")
    .executeTakeFirst();
  if (!recorded) return false;
  for (const line of lines) {
    const movement = { kind: "return", orderId: received.orderId, returnId: received.returnId } as const;
    await putBackOnHand(writer, line, movement, context);
  }
  return true;
}
