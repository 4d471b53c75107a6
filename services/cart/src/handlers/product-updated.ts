import type { EventEnvelope, ProductUpdated } from "@mercato/contracts";
import type { Kysely } from "kysely";
import type { z } from "zod";
import { versionOf } from "../domain/replica-change.ts";
import { applyReplicaChange } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";

/** ProductUpdated carries the whole product, so it sets the fields and the price alike. */
export async function onProductUpdated(
  event: EventEnvelope<z.infer<typeof ProductUpdated.schema>>,
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
