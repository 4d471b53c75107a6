import type { EventEnvelope, ProductCreated, ProductUpdated } from "@mercato/contracts";
import type { Kysely } from "kysely";
import type { z } from "zod";
import { versionOf } from "../domain/replica-change.ts";
import { applyReplicaChange } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";

type ProductSnapshot = z.infer<typeof ProductCreated.schema> | z.infer<typeof ProductUpdated.schema>;

/** ProductCreated and ProductUpdated both carry the whole product: they set the fields and the price alike. */
export async function onProductSnapshot(
  event: EventEnvelope<ProductSnapshot>,
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
