import { CartItemAdded, moneySchema } from "@mercato/contracts";
import {
  currentUser,
  HttpProblem,
  named,
  operation,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import { buildCart, type Cart, cannotJoin, maxLineQuantity, sellable } from "../domain/cart.ts";
import { cartIdOf } from "../domain/cart-id.ts";
import { addToLine, clearCart, readStoredCart, removeLine, setLineQuantity } from "../store/cart-lines.ts";
import { findReplicaProduct } from "../store/product-replica.ts";
import type { CartTables } from "../store/tables.ts";
import { addItemBodySchema, cartSchema, lineParamsSchema, setQuantityBodySchema } from "./cart-schemas.ts";

/** Cart bodies are a product id and a number: anything much bigger is not a cart request. */
const bodyLimit = 1024;
const tags = ["cart"];
named(moneySchema, "Money");
const namedCart = named(cartSchema, "Cart");
const theCart = (description: string) => ({ description, schema: namedCart });

async function readCart(db: Kysely<CartTables>, cartId: string): Promise<Cart> {
  return buildCart(cartId, await readStoredCart(db, cartId));
}

/** The "Cart" section of api.md: one cart per signed-in user, reachable only by that user. */
export function registerCartRoutes(
  app: FastifyInstance,
  { db, inTransaction }: ServiceContext<CartTables>,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/cart",
    {
      preHandler: requireUser(),
      schema: operation({
        operationId: "getCart",
        tags,
        summary: "The signed-in user's cart",
        access: "user",
        responses: { 200: theCart("The cart, priced now") },
      }),
    },
    async (request) => readCart(db, cartIdOf(currentUser(request).id)),
  );

  api.post(
    "/api/cart/items",
    {
      preHandler: requireUser(),
      bodyLimit,
      schema: operation({
        operationId: "addCartItem",
        tags,
        summary: "Put units of a product in the cart",
        access: "user",
        body: addItemBodySchema,
        responses: { 200: theCart("The cart after the change") },
        errors: {
          404: "No such product for sale",
          422: "The line would hold too many units, or the product's currency differs from the cart's",
        },
      }),
    },
    async (request) => {
      const user = currentUser(request);
      const cartId = cartIdOf(user.id);
      const { productId, quantity } = request.body;
      return inTransaction(async ({ transaction, publish }) => {
        const product = sellable(await findReplicaProduct(transaction, productId));
        if (!product) throw HttpProblem.notFound(`Product ${productId} does not exist`);
        const conflict = cannotJoin(await readCart(transaction, cartId), productId, product.price);
        if (conflict) throw HttpProblem.unprocessable(conflict);
        const total = await addToLine(transaction, cartId, productId, quantity);
        if (total === undefined) {
          throw HttpProblem.unprocessable(
            `Adding ${quantity} of product ${productId} would put more than ${maxLineQuantity} in its line`,
          );
        }
        await publish([
          CartItemAdded.create(
            { cartId, userId: user.id, productId, quantity },
            { correlationId: request.correlationId, resources: [cartId] },
          ),
        ]);
        return readCart(transaction, cartId);
      });
    },
  );

  api.patch(
    "/api/cart/items/:productId",
    {
      preHandler: requireUser(),
      bodyLimit,
      schema: operation({
        operationId: "setCartItemQuantity",
        tags,
        summary: "Set a line's quantity (0 removes it)",
        access: "user",
        params: lineParamsSchema,
        body: setQuantityBodySchema,
        responses: { 200: theCart("The cart after the change") },
        errors: { 404: "The product is not in the cart" },
      }),
    },
    async (request) => {
      const cartId = cartIdOf(currentUser(request).id);
      const { productId } = request.params;
      const { quantity } = request.body;
      return db.transaction().execute(async (transaction) => {
        const cart = await readCart(transaction, cartId);
        if (!cart.items.some((item) => item.productId === productId)) {
          throw HttpProblem.notFound(`Product ${productId} is not in the cart`);
        }
        if (quantity === 0) await removeLine(transaction, cartId, productId);
        else await setLineQuantity(transaction, cartId, productId, quantity);
        return readCart(transaction, cartId);
      });
    },
  );

  // Idempotent: removing a line that is not there answers the cart as it is, so a retried DELETE
  // whose first answer was lost still succeeds.
  api.delete(
    "/api/cart/items/:productId",
    {
      preHandler: requireUser(),
      schema: operation({
        operationId: "removeCartItem",
        tags,
        summary: "Remove a line (idempotent)",
        access: "user",
        params: lineParamsSchema,
        responses: { 200: theCart("The cart without the line") },
      }),
    },
    async (request) => {
      const cartId = cartIdOf(currentUser(request).id);
      return db.transaction().execute(async (transaction) => {
        await removeLine(transaction, cartId, request.params.productId);
        return readCart(transaction, cartId);
      });
    },
  );

  api.delete(
    "/api/cart",
    {
      preHandler: requireUser(),
      schema: operation({
        operationId: "clearCart",
        tags,
        summary: "Empty the cart",
        access: "user",
        responses: { 204: "empty" },
      }),
    },
    async (request, reply) => {
      await clearCart(db, cartIdOf(currentUser(request).id));
      return reply.code(204).send(null);
    },
  );
}
