import type { OrderEvent } from "../domain/order.ts";
import type { Writer } from "./tables.ts";

/** The events after which the token is no longer needed: sent to payments, or the order ended. */
const settling = new Set<OrderEvent["type"]>(["PaymentRequested", "OrderRejected", "OrderCancelled"]);

/** Keeps the sealed token of a new order until the saga asks payments, in the checkout's transaction. */
export async function keepPaymentToken(
  transaction: Writer,
  orderId: string,
  sealedToken: string,
): Promise<void> {
  await transaction
    .insertInto("payment_tokens")
    .values({ order_id: orderId, sealed_token: sealedToken })
    .execute();
}

/**
 * Deletes the order's token when `events` settle it, in their transaction; answers it, for the
 * payment request that carries it. Undefined when the events leave it or it is already gone.
 */
export async function settlePaymentToken(
  transaction: Writer,
  orderId: string,
  events: readonly OrderEvent[],
): Promise<string | undefined> {
  if (!events.some((event) => settling.has(event.type))) return undefined;
  const row = await transaction
    .deleteFrom("payment_tokens")
    .where("order_id", "=", orderId)
    .returning("sealed_token")
    .executeTakeFirst();
  return row?.sealed_token;
}
