import type { PriceChanged } from "@mercato/contracts";
import type { EventOf } from "@mercato/platform";
import type { Kysely } from "kysely";
import { versionOf } from "../domain/replica-change.ts";
import { applyReplicaChange } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";

/** Sets only the price; if it overtook ProductCreated, the fields follow when that arrives. */
export async function onPriceChanged(
  event: EventOf<typeof PriceChanged>,
  transaction: Kysely<CartTables>,
): Promise<void> {
  const { productId, newPrice } = event.detail;
  await applyReplicaChange(transaction, { productId, version: versionOf(event), price: newPrice });
}
