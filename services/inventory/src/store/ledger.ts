import type { Kysely } from "kysely";
import { type LedgerEntry, ledgerReason } from "../domain/ledger.ts";
import type { InventoryTables } from "./tables.ts";

/**
 * A sku's movements, newest first, from before the movement `before` (a ledger row id), at most
 * `limit`, each with its row id.
 */
export async function ledgerEntries(
  db: Kysely<InventoryTables>,
  sku: string,
  page: { limit: number; before?: number },
): Promise<(LedgerEntry & { id: number })[]> {
  let query = db
    .selectFrom("stock_ledger")
    .select(["id", "at", "kind", "on_hand_delta", "reserved_delta", "channel", "order_id", "return_id"])
    .where("sku", "=", sku)
    .orderBy("id", "desc")
    .limit(page.limit);
  if (page.before !== undefined) query = query.where("id", "<", page.before);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    change: row.on_hand_delta,
    reservedChange: row.reserved_delta,
    reason: ledgerReason(row.kind),
    reference: { channel: row.channel, orderId: row.order_id, returnId: row.return_id },
  }));
}
