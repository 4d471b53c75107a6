import { paymentTokenPurpose } from "@mercato/contracts";
import {
  currentUser,
  HttpProblem,
  problemResponse,
  requireUser,
  type SealedBox,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import { type CartClient, CartUnavailableError } from "../clients/cart-client.ts";
import { placeOrder } from "../domain/decisions.ts";
import type { OrderItem, ShippingAddress } from "../domain/order.ts";
import { messagesFor } from "../domain/order-messages.ts";
import { requestHash } from "../domain/request-hash.ts";
import { storeResponse } from "../store/idempotency-keys.ts";
import { startOrder } from "../store/order-stream.ts";
import { viewOf } from "../store/order-views.ts";
import { keepPaymentToken } from "../store/payment-tokens.ts";
import type { OrdersTables } from "../store/tables.ts";
import { firstAnswer } from "./first-answer.ts";
import { asProblem } from "./order-commands.ts";
import { idempotencyHeadersSchema, orderBody, orderSchema, placeOrderBodySchema } from "./order-schemas.ts";

const bodyLimit = 4 * 1024;

export interface CheckoutDependencies {
  cart: CartClient;
  sealedBox(): Promise<SealedBox>;
}

/** Another request with the same key won the race: answer as it did. */
class KeyTakenMeanwhile extends Error {}

/**
 * POST /api/orders: the first step of the saga, and the checkout's only synchronous call (the
 * cart snapshot). Everything after OrderPlaced happens in events.
 */
export function registerCheckoutRoute(
  app: FastifyInstance,
  { db, publish }: ServiceContext<OrdersTables>,
  dependencies: CheckoutDependencies,
): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/orders",
    {
      // Checked before the body is read: strangers learn nothing from 400s.
      onRequest: requireUser(),
      bodyLimit,
      schema: {
        tags: ["orders"],
        security: [{ bearer: [] }],
        headers: idempotencyHeadersSchema,
        body: placeOrderBodySchema,
        response: {
          202: orderSchema,
          409: problemResponse("The Idempotency-Key was used for another request"),
          422: problemResponse("The cart is empty"),
          503: problemResponse("Cart did not answer; nothing was ordered"),
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const key = request.headers["idempotency-key"];
      const box = await dependencies.sealedBox();
      const hash = requestHash("POST", "/api/orders", request.body, (text) =>
        box.fingerprint(text, "checkout-request"),
      );
      const idempotency = { userId: user.id, key, hash };
      const replayed = await firstAnswer(db, idempotency, orderSchema);
      if (replayed) return reply.code(202).send(replayed);

      const snapshot = await cartSnapshot(dependencies.cart, request);
      const events = orderOf(snapshot.items, user.id, request.body.shippingAddress);
      const sealedToken = box.seal(request.body.payment.token, paymentTokenPurpose);

      const orderId = uuidv7();
      try {
        const body = await db.transaction().execute(async (transaction) => {
          const change = await startOrder(transaction, orderId, events, new Date());
          await keepPaymentToken(transaction, orderId, sealedToken);
          const placed = orderBody(viewOf(change.after));
          const stored = await storeResponse(transaction, user.id, key, {
            requestHash: hash,
            statusCode: 202,
            body: placed,
          });
          if (!stored) throw new KeyTakenMeanwhile();
          await publish(
            transaction,
            messagesFor(change.after, change.events, { correlationId: request.correlationId }),
          );
          return placed;
        });
        request.log.info({ orderId, items: snapshot.items.length }, "order placed");
        return reply.code(202).send(body);
      } catch (error) {
        if (!(error instanceof KeyTakenMeanwhile)) throw error;
        const winner = await firstAnswer(db, idempotency, orderSchema);
        if (!winner) throw error;
        return reply.code(202).send(winner);
      }
    },
  );
}

function orderOf(items: OrderItem[], userId: string, shippingAddress: ShippingAddress) {
  try {
    return placeOrder({ userId, items, shippingAddress });
  } catch (error) {
    throw asProblem(error);
  }
}

async function cartSnapshot(cart: CartClient, request: FastifyRequest) {
  try {
    return await cart.checkoutSnapshot(request.headers.authorization ?? "");
  } catch (error) {
    if (error instanceof CartUnavailableError) {
      request.log.warn({ err: error }, "checkout snapshot failed");
      throw HttpProblem.unavailable(error.message, error.retryAfterSeconds);
    }
    throw error;
  }
}
