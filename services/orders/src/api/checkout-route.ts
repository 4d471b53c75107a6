import { paymentTokenPurpose } from "@mercato/contracts";
import { currentUser, HttpProblem, operation, requireUser } from "@mercato/platform";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { type CartClient, CartUnavailableError } from "../clients/cart-client.ts";
import { cartVersionOf } from "../domain/cart-version.ts";
import { placeOrder } from "../domain/decisions.ts";
import type { OrderItem, ShippingAddress } from "../domain/order.ts";
import { requestHash } from "../domain/request-hash.ts";
import type { OrdersContext } from "../resources.ts";
import { placeOnce } from "./checkout-placement.ts";
import { answerOnce } from "./first-answer.ts";
import { asProblem } from "./order-commands.ts";
import { idempotencyHeadersSchema, orderSchema, placeOrderBodySchema } from "./order-schemas.ts";

const bodyLimit = 4 * 1024;

/**
 * POST /api/orders: the first step of the saga, and the checkout's only synchronous call (the
 * cart snapshot). Everything after OrderPlaced happens in events. A checkout of a cart version
 * that already has a live order answers with that order (see checkout-placement.ts).
 */
export function registerCheckoutRoute(app: FastifyInstance, context: OrdersContext): void {
  const { db, resources, secrets } = context;
  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/orders",
    {
      // Checked before the body is read: strangers learn nothing from 400s.
      onRequest: requireUser(),
      bodyLimit,
      schema: operation({
        operationId: "placeOrder",
        tags: ["orders"],
        summary: "Check out the cart: place an order",
        description:
          "Accepted, not done: stock and payment follow as events; poll the order for its status. A retry with the same Idempotency-Key answers the first answer.",
        access: "user",
        headers: idempotencyHeadersSchema,
        body: placeOrderBodySchema,
        responses: { 202: { description: "The order placed (status pending)", schema: orderSchema } },
        errors: {
          409: "The Idempotency-Key was used for another request, or another checkout of this cart kept changing",
          422: "The cart is empty",
          503: "Cart did not answer; nothing was ordered",
        },
      }),
    },
    async (request, reply) => {
      const user = currentUser(request);
      const box = secrets.sealedBox;
      const hash = requestHash("POST", "/api/orders", request.body, (text) =>
        box.fingerprint(text, "checkout-request"),
      );
      const idempotency = { userId: user.id, key: request.headers["idempotency-key"], hash };
      const body = await answerOnce(db, idempotency, orderSchema, async () => {
        const snapshot = await cartSnapshot(resources.cart, request);
        const cartVersion = cartVersionOf(snapshot.revision, snapshot.items);
        const events = orderOf(snapshot.items, user.id, request.body.shippingAddress, cartVersion);
        const sealedToken = box.seal(request.body.payment.token, paymentTokenPurpose);
        return placeOnce(context, request, { idempotency, cartVersion, events, sealedToken });
      });
      return reply.code(202).send(body);
    },
  );
}

function orderOf(items: OrderItem[], userId: string, shippingAddress: ShippingAddress, cartVersion: string) {
  try {
    return placeOrder({ userId, items, shippingAddress, cartVersion });
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
