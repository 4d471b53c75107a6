import type { EventContext } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import { unknownSkus } from "../domain/marketplace-orders.ts";
import type { StockLine } from "../domain/stock.ts";
import { normalizeLines } from "../domain/stock-lines.ts";
import { availableOf, putBackOnHand } from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

export interface MarketplaceReturn {
  channel: string;
  externalOrderId: string;
  returnId: string;
  lines: readonly StockLine[];
}

/**
 * Puts the units of another channel's return back on hand, once per channel and returnId (its row
 * is written first), in sku order. Units of a sku inventory does not stock have nowhere to go and
 * are left out. Answers false for a return already received, else the skus left out.
 */
export async function receiveMarketplaceReturn(
  writer: UnitOfWork<InventoryTables>,
  received: MarketplaceReturn,
  context: EventContext,
): Promise<{ unknownSkus: string[] } | false> {
  const lines = normalizeLines(received.lines);
  const recorded = await writer.transaction
    .insertInto("marketplace_returns")
    .values({
      channel: received.channel,
      return_id: received.returnId,
      external_order_id: received.externalOrderId,
      lines: JSON.stringify(lines),
    })
    .onConflict((conflict) => conflict.columns(["channel", "return_id"]).doNothing())
    .returning("return_id")
    .executeTakeFirst();
  if (!recorded) return false;
  const unknown = unknownSkus(lines, new Set((await availableOf(writer, lines)).keys()));
  const movement = {
    kind: "return",
    orderId: received.externalOrderId,
    channel: received.channel,
    returnId: received.returnId,
  } as const;
  for (const line of lines) {
    if (!unknown.includes(line.sku)) await putBackOnHand(writer, line, movement, context);
  }
  return { unknownSkus: unknown };
}
