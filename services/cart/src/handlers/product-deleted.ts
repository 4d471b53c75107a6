import type { ProductDeleted } from "@mercato/contracts";
import type { EventOf } from "@mercato/platform";
import type { Kysely } from "kysely";
import { versionOf } from "../domain/replica-change.ts";
import { removeProductFromCarts } from "../store/cart-lines.ts";
import { applyReplicaChange } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";

/**
 * Leaves a tombstone, so that a ProductCreated or ProductUpdated arriving later cannot bring the
 * product back, and takes the product out of every cart.
 */
export async function onProductDeleted(
  event: EventOf<typeof ProductDeleted>,
  transaction: Kysely<CartTables>,
): Promise<void> {
  const { productId } = event.detail;
  await applyReplicaChange(transaction, { productId, version: versionOf(event), deleted: true });
  await removeProductFromCarts(transaction, productId);
}
