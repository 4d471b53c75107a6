import type { ProductCreated, ProductUpdated } from "@mercato/contracts";
import type { EventOf } from "@mercato/platform";
import type { Kysely } from "kysely";
import { versionOf } from "../domain/replica-change.ts";
import { applyReplicaChange } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";

/** ProductCreated and ProductUpdated both carry the whole product: they set the fields and the price alike. */
export async function onProductSnapshot(
  event: EventOf<typeof ProductCreated> | EventOf<typeof ProductUpdated>,
  transaction: Kysely<CartTables>,
): Promise<void> {
  const { productId, sku, name, price } = event.detail;
  await applyReplicaChange(transaction, {
    productId,
    version: versionOf(event),
    fields: { sku, name },
    price,
  });
}
