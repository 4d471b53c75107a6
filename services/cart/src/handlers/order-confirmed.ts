import { OrderConfirmed } from "@mercato/contracts";
import { type EventOf, on, type SubscriptionDefinition } from "@mercato/platform";
import type { Kysely } from "kysely";
import { linesAfterPurchase } from "../domain/bought-units.ts";
import { cartIdOf } from "../domain/cart-id.ts";
import { lockLines, removeLines, setLineQuantity } from "../store/cart-lines.ts";
import type { CartTables } from "../store/tables.ts";

/**
 * Takes what the customer bought out of their cart once the order is confirmed (queue
 * `cart-order-confirmed`). Not on OrderPlaced: a rejected order leaves the cart as it was, to try
 * again. Lines already gone are skipped, so a repeated fact never fails.
 */
export const orderConfirmedSubscription: SubscriptionDefinition<CartTables> = {
  name: "order-confirmed",
  handlers: [
    on(OrderConfirmed, async (event, { transaction, logger }) => {
      const removed = await removeBoughtUnits(event, transaction);
      logger.info({ orderId: event.detail.orderId, ...removed }, "bought units taken out of the cart");
    }),
  ],
};

async function removeBoughtUnits(
  event: EventOf<typeof OrderConfirmed>,
  transaction: Kysely<CartTables>,
): Promise<{ linesKept: number; linesRemoved: number }> {
  const { userId, items } = event.detail;
  const cartId = cartIdOf(userId);
  const lines = await lockLines(
    transaction,
    cartId,
    items.map((item) => item.productId),
  );
  const { keep, remove } = linesAfterPurchase(lines, items);
  for (const line of keep) await setLineQuantity(transaction, cartId, line.productId, line.quantity);
  await removeLines(transaction, cartId, remove);
  return { linesKept: keep.length, linesRemoved: remove.length };
}
