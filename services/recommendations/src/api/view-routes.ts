import { ProductViewed } from "@mercato/contracts";
import { HttpProblem, operation, optionalUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { RecommendationsSettings } from "../settings.ts";
import { isListedProduct } from "../store/product-replica.ts";
import type { RecommendationsTables } from "../store/tables.ts";
import { recordedViewSchema, viewHeadersSchema, viewParamsSchema } from "./recommendation-schemas.ts";

/**
 * Records a view as a ProductViewed event, through the outbox: the view is learnt when the event
 * is consumed, like a cart add or an order, so views and every other signal take one path.
 */
export function registerViewRoutes(
  app: FastifyInstance,
  { inTransaction }: ServiceContext<RecommendationsTables, RecommendationsSettings>,
): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/products/:id/views",
    {
      // A token, when sent, is checked before anything else: a bad one is a 401, never ignored.
      onRequest: optionalUser(),
      schema: operation({
        operationId: "recordProductView",
        tags: ["recommendations"],
        summary: "Record that someone looked at a product",
        description:
          "Tied to the user when an access token is sent, else to the X-Session-Id when one is sent, else anonymous (counts for popularity only). The view shows in recommendations within seconds.",
        access: "public",
        params: viewParamsSchema,
        headers: viewHeadersSchema,
        responses: {
          202: { description: "Recorded; learnt within seconds", schema: recordedViewSchema },
        },
        errors: {
          401: "An Authorization header was sent, and its token is invalid or expired",
          404: "No such product (or the catalog deleted it)",
        },
      }),
    },
    async (request, reply) => {
      const productId = request.params.id;
      const userId = request.user?.id;
      const sessionId = userId ? undefined : request.headers["x-session-id"];
      await inTransaction(async ({ transaction, publish }) => {
        if (!(await isListedProduct(transaction, productId))) {
          throw HttpProblem.notFound(`Product ${productId} does not exist`);
        }
        await publish([
          ProductViewed.create(
            { productId, ...(userId ? { userId } : {}), ...(sessionId ? { sessionId } : {}) },
            { correlationId: request.correlationId, resources: [productId] },
          ),
        ]);
      });
      const viewer = userId ? "user" : sessionId ? "session" : "anonymous";
      return reply.code(202).send({ productId, viewer });
    },
  );
}
