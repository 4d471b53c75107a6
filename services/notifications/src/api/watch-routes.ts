import {
  currentUser,
  decodeCursor,
  encodeCursor,
  HttpProblem,
  operation,
  requireUser,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import { findProduct } from "../store/replicas.ts";
import { countWatches, createWatch, deleteWatch, listWatches } from "../store/watches.ts";
import type { NotificationsContext } from "./notification-routes.ts";
import {
  createWatchBodySchema,
  watchBody,
  watchCursorSchema,
  watchListQuerySchema,
  watchPageSchema,
  watchParamsSchema,
  watchSchema,
} from "./watch-schemas.ts";

const tags = ["notifications"];

/** Watches one user may keep: bounds what a single account can make the service store and scan. */
export const maxWatchesPerUser = 500;

/** The watch half of api.md's "Notifications and watches": price-drop and back-in-stock watches. */
export function registerWatchRoutes(app: FastifyInstance, { db }: NotificationsContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const signedIn = requireUser();

  api.post(
    "/api/watches",
    {
      onRequest: signedIn,
      bodyLimit: 1024,
      schema: operation({
        operationId: "createWatch",
        tags,
        summary: "Watch a product for a price drop or for its return to stock",
        description:
          "The watch notifies once (in the inbox, the stream and by email), then keeps `firedAt`. A product the notifications service has not heard of from the catalog yet is unknown (404) for a moment after its creation.",
        access: "user",
        body: createWatchBodySchema,
        responses: { 201: { description: "The watch", schema: watchSchema } },
        errors: {
          404: "No such product",
          409: "The user already watches this product for this kind",
          422: `The target price is not in the product's currency, or the user has ${maxWatchesPerUser} watches`,
        },
      }),
    },
    async (request, reply) => {
      const user = currentUser(request);
      const { productId, kind, targetPrice } = request.body;
      const product = await findProduct(db, productId);
      if (!product || product.deleted) throw HttpProblem.notFound(`No product ${productId}`);
      if (targetPrice && targetPrice.currency !== product.currency) {
        throw HttpProblem.unprocessable(
          `The target price is in ${targetPrice.currency}; the product is priced in ${product.currency}`,
        );
      }
      if ((await countWatches(db, user.id)) >= maxWatchesPerUser) {
        throw HttpProblem.unprocessable(`At most ${maxWatchesPerUser} watches; delete some first`);
      }
      const watch = await createWatch(db, {
        id: uuidv7(),
        userId: user.id,
        productId,
        kind,
        targetPrice: targetPrice ?? null,
      });
      if (!watch) throw HttpProblem.conflict(`You already watch product ${productId} for ${kind}`);
      return reply.code(201).send(watchBody(watch));
    },
  );

  api.get(
    "/api/watches",
    {
      onRequest: signedIn,
      schema: operation({
        operationId: "listWatches",
        tags,
        summary: "The signed-in user's watches, newest first",
        access: "user",
        querystring: watchListQuerySchema,
        responses: { 200: { description: "A page of watches", schema: watchPageSchema } },
      }),
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const before = cursor ? decodeCursor(cursor, watchCursorSchema).id : undefined;
      const page = await listWatches(db, { userId: currentUser(request).id, limit, beforeId: before });
      const last = page.items.at(-1);
      return {
        items: page.items.map(watchBody),
        nextCursor: page.more && last ? encodeCursor({ id: last.id }) : null,
      };
    },
  );

  api.delete(
    "/api/watches/:id",
    {
      onRequest: signedIn,
      schema: operation({
        operationId: "deleteWatch",
        tags,
        summary: "Stop watching",
        access: "user",
        params: watchParamsSchema,
        responses: { 204: "empty" },
        errors: { 404: "No such watch, or not yours" },
      }),
    },
    async (request, reply) => {
      if (!(await deleteWatch(db, currentUser(request).id, request.params.id))) {
        throw HttpProblem.notFound("No such watch, or not yours");
      }
      return reply.code(204).send(null);
    },
  );
}
