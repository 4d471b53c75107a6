import { currentUser, HttpProblem, operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { RecommendationsSettings } from "../settings.ts";
import type { RecommendationsTables } from "../store/tables.ts";
import { recommendForUser, recommendPopular, recommendRelated } from "./recommend.ts";
import { forMeQuerySchema, recommendationListSchema, relatedQuerySchema } from "./recommendation-schemas.ts";

const tags = ["recommendations"];

/** The "Recommendations" section of api.md: read-only answers from precomputed rows. */
export function registerRecommendationRoutes(
  app: FastifyInstance,
  { db, settings }: ServiceContext<RecommendationsTables, RecommendationsSettings>,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/recommendations",
    {
      schema: operation({
        operationId: "listRecommendations",
        tags,
        summary: "Products that go with a product (or the most popular ones)",
        description:
          "Bought-together and viewed-together neighbours of the product, best first, then popular products to fill the list. Never the product itself, a deleted or an out-of-stock product.",
        access: "public",
        querystring: relatedQuerySchema,
        responses: {
          200: { description: "The recommendations, best first", schema: recommendationListSchema },
        },
        errors: { 404: "No such product (or the catalog deleted it)" },
      }),
    },
    async (request) => {
      const { productId, limit } = request.query;
      if (productId === undefined) return { items: await recommendPopular(db, settings, limit) };
      const items = await recommendRelated(db, settings, productId, limit);
      if (!items) throw HttpProblem.notFound(`Product ${productId} does not exist`);
      return { items };
    },
  );

  api.get(
    "/api/recommendations/for-me",
    {
      onRequest: requireUser(),
      schema: operation({
        operationId: "listMyRecommendations",
        tags,
        summary: "Products for the signed-in user",
        description:
          "Neighbours of the products the user recently viewed, put in their cart or bought (reason for-you), then popular products to fill the list; never one they bought or have in their cart.",
        access: "user",
        querystring: forMeQuerySchema,
        responses: {
          200: { description: "The recommendations, best first", schema: recommendationListSchema },
        },
      }),
    },
    async (request) => ({
      items: await recommendForUser(db, settings, currentUser(request).id, request.query.limit),
    }),
  );
}
