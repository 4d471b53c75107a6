import { HttpProblem, type ServiceContext } from "@mercato/platform";
import type { FastifyRequest } from "fastify";
import { v7 as uuidv7 } from "uuid";
import type { OrderEvent } from "../domain/order.ts";
import { messagesFor } from "../domain/order-messages.ts";
import { findLiveOrderOfCartVersion, isCartVersionTaken } from "../store/cart-versions.ts";
import { storeResponse } from "../store/idempotency-keys.ts";
import { startOrder } from "../store/order-stream.ts";
import { type OrderView, viewOf } from "../store/order-views.ts";
import { keepPaymentToken } from "../store/payment-tokens.ts";
import type { OrdersTables } from "../store/tables.ts";
import { type OrderBody, orderBody } from "./order-schemas.ts";

/** Another request with the same Idempotency-Key won the race: answer as it did. */
class KeyTakenMeanwhile extends Error {}

export interface Checkout {
  idempotency: { userId: string; key: string; hash: string };
  cartVersion: string;
  events: OrderEvent[];
  sealedToken: string;
}

/**
 * A live order of the same cart version can end (rejected, cancelled) between our failed insert
 * and the look-up; each turn of the loop then tries again. Three turns need three such endings
 * within milliseconds.
 */
const maxAttempts = 3;

/**
 * Places the checkout's order, or answers with the live order already placed from the same cart
 * version: the unique index decides, so concurrent copies order once whatever their keys. Either
 * answer is kept for the request's Idempotency-Key. Throws KeyTakenMeanwhile when a request with
 * the same key answered first.
 */
export async function placeOnce(
  context: ServiceContext<OrdersTables>,
  request: FastifyRequest,
  checkout: Checkout,
): Promise<OrderBody> {
  const { userId } = checkout.idempotency;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const placed = await place(context, request, checkout);
    if (placed) {
      request.log.info({ orderId: placed.id, items: placed.items.length }, "order placed");
      return placed;
    }
    const first = await findLiveOrderOfCartVersion(context.db, userId, checkout.cartVersion);
    if (first) {
      request.log.info({ orderId: first.id }, "cart version already ordered: answered with its order");
      return answerWith(context, checkout, first);
    }
  }
  throw HttpProblem.conflict("Another checkout of this cart kept changing meanwhile; send the request again");
}

/** The new order's answer, or undefined when a live order of the same cart version exists. */
async function place(
  { inTransaction }: ServiceContext<OrdersTables>,
  request: FastifyRequest,
  { idempotency, events, sealedToken }: Checkout,
): Promise<OrderBody | undefined> {
  const orderId = uuidv7();
  try {
    return await inTransaction(async ({ transaction, publish }) => {
      const change = await startOrder(transaction, orderId, events, new Date());
      await keepPaymentToken(transaction, orderId, sealedToken);
      const placed = orderBody(viewOf(change.after));
      const stored = await storeResponse(transaction, idempotency.userId, idempotency.key, {
        requestHash: idempotency.hash,
        statusCode: 202,
        body: placed,
      });
      if (!stored) throw new KeyTakenMeanwhile();
      await publish(messagesFor(change.after, change.events, { correlationId: request.correlationId }));
      return placed;
    });
  } catch (error) {
    if (isCartVersionTaken(error)) return undefined;
    throw error;
  }
}

async function answerWith(
  { inTransaction }: ServiceContext<OrdersTables>,
  { idempotency }: Checkout,
  first: OrderView,
): Promise<OrderBody> {
  const body = orderBody(first);
  const stored = await inTransaction(({ transaction }) =>
    storeResponse(transaction, idempotency.userId, idempotency.key, {
      requestHash: idempotency.hash,
      statusCode: 202,
      body,
    }),
  );
  if (!stored) throw new KeyTakenMeanwhile();
  return body;
}
