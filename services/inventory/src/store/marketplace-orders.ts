import {
  type EventContext,
  type EventEnvelope,
  MarketplaceOrderAccepted,
  MarketplaceOrderRejected,
} from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import {
  type MarketplaceOrderStatus,
  type MarketplaceRejection,
  marketplaceCancelStep,
  unknownSkus,
} from "../domain/marketplace-orders.ts";
import type { StockLevels, StockLine } from "../domain/stock.ts";
import { normalizeLines, shortagesOf } from "../domain/stock-lines.ts";
import { takeAllOrNothing } from "./all-or-nothing.ts";
import { availableOf, putBackOnHand, recordMovement, sellFromAvailable } from "./stock-levels.ts";
import type { InventoryTables } from "./tables.ts";

export interface MarketplaceOrder {
  channel: string;
  externalOrderId: string;
  lines: readonly StockLine[];
}

export type PlacementResult =
  | { outcome: "accepted" | "replayed" }
  | { outcome: "rejected"; reason: MarketplaceRejection; skus: string[] };

/**
 * Takes the units of another channel's order straight off on hand (the channel sold them already),
 * all or nothing and never more than is available, like a reservation: one conditional UPDATE per
 * sku, in sku order, under a savepoint. The order's row is written first, so the same order sent
 * again waits for the first and takes nothing (`replayed`, nothing published). Publishes
 * Marketplace Order Accepted, or Rejected with the unknown skus (which win) or the short ones.
 */
export async function placeMarketplaceOrder(
  writer: UnitOfWork<InventoryTables>,
  order: MarketplaceOrder,
  context: EventContext,
): Promise<PlacementResult> {
  const lines = normalizeLines(order.lines);
  const created = await writer.transaction
    .insertInto("marketplace_orders")
    .values({
      channel: order.channel,
      external_order_id: order.externalOrderId,
      status: "accepted",
      lines: JSON.stringify(lines),
    })
    .onConflict((conflict) => conflict.columns(["channel", "external_order_id"]).doNothing())
    .returning("channel")
    .executeTakeFirst();
  if (!created) return { outcome: "replayed" };
  const answer = { channel: order.channel, externalOrderId: order.externalOrderId, lines };

  const available = await availableOf(writer, lines);
  const unknown = unknownSkus(lines, new Set(available.keys()));
  if (unknown.length > 0) return reject(writer, answer, "unknown_sku", unknown, context);

  const outcome = await takeAllOrNothing(writer, lines, (line) => sellFromAvailable(writer, line));
  if (outcome.short !== undefined) {
    const shortages = shortagesOf(lines, await availableOf(writer, lines), outcome.short);
    const skus = shortages.map((shortage) => shortage.sku);
    return reject(writer, answer, "out_of_stock", skus, context);
  }

  const events: EventEnvelope[] = [];
  for (const [index, line] of lines.entries()) {
    const movement = {
      kind: "marketplace-order",
      onHandDelta: -line.quantity,
      reservedDelta: 0,
      orderId: order.externalOrderId,
      channel: order.channel,
    } as const;
    events.push(...(await recordMovement(writer, movement, outcome.taken[index] as StockLevels, context)));
  }
  await writer.publish([...events, MarketplaceOrderAccepted.create(answer, context)]);
  return { outcome: "accepted" };
}

async function reject(
  writer: UnitOfWork<InventoryTables>,
  answer: { channel: string; externalOrderId: string; lines: StockLine[] },
  reason: MarketplaceRejection,
  skus: string[],
  context: EventContext,
): Promise<PlacementResult> {
  await setMarketplaceStatus(writer, answer, "rejected", reason);
  await writer.publish([MarketplaceOrderRejected.create({ ...answer, reason, skus }, context)]);
  return { outcome: "rejected", reason, skus };
}

/**
 * Gives an accepted order's units back on hand, once: the order becomes `cancelled`. A rejected or
 * already cancelled order changes nothing; an order never seen gets a tombstone (`cancelled`, no
 * lines), so that if it arrives later it takes nothing. Answers what happened.
 */
export async function cancelMarketplaceOrder(
  writer: UnitOfWork<InventoryTables>,
  order: { channel: string; externalOrderId: string },
  context: EventContext,
): Promise<"restocked" | "unchanged" | "tombstone"> {
  const { transaction } = writer;
  const tombstone = await transaction
    .insertInto("marketplace_orders")
    .values({
      channel: order.channel,
      external_order_id: order.externalOrderId,
      status: "cancelled",
      lines: JSON.stringify([]),
    })
    .onConflict((conflict) => conflict.columns(["channel", "external_order_id"]).doNothing())
    .returning("channel")
    .executeTakeFirst();
  if (tombstone) return "tombstone";
  const row = await transaction
    .selectFrom("marketplace_orders")
    .select(["status", "lines"])
    .where("channel", "=", order.channel)
    .where("external_order_id", "=", order.externalOrderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (marketplaceCancelStep(row.status) === "unchanged") return "unchanged";
  for (const line of row.lines) {
    const movement = { kind: "cancel", orderId: order.externalOrderId, channel: order.channel } as const;
    await putBackOnHand(writer, line, movement, context);
  }
  await setMarketplaceStatus(writer, order, "cancelled", null);
  return "restocked";
}

async function setMarketplaceStatus(
  writer: UnitOfWork<InventoryTables>,
  order: { channel: string; externalOrderId: string },
  status: MarketplaceOrderStatus,
  rejection: MarketplaceRejection | null,
): Promise<void> {
  await writer.transaction
    .updateTable("marketplace_orders")
    .set({ status, rejection, updated_at: new Date() })
    .where("channel", "=", order.channel)
    .where("external_order_id", "=", order.externalOrderId)
    .execute();
}
