import { moneySchema } from "@mercato/contracts";
import { listQuerySchema, named } from "@mercato/platform";
import { z } from "zod";
import { reasons } from "../domain/recommendation.ts";

/** Catalog ids are lowercase UUIDs: anything else names no product, and says so as a 400. */
export const productIdSchema = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "must be a product id (a lowercase UUID)",
  );

const limit = listQuerySchema.pick({ limit: true });

export const relatedQuerySchema = limit
  .extend({
    productId: productIdSchema
      .optional()
      .describe("The product shown; without it, the most popular products"),
  })
  .strict();

export const forMeQuerySchema = limit.strict();

export const viewParamsSchema = z.object({ id: productIdSchema });

export const viewHeadersSchema = z.looseObject({
  "x-session-id": z
    .string()
    .regex(/^[A-Za-z0-9._~-]{8,128}$/, "must be 8 to 128 letters, digits, '.', '_', '~' or '-'")
    .optional()
    .describe(
      "An opaque id the storefront keeps for an anonymous visitor's session, so that the products one visitor views are learnt as viewed together; ignored when a user is signed in",
    ),
});

export const recordedViewSchema = z
  .object({
    productId: z.string(),
    viewer: z
      .enum(["user", "session", "anonymous"])
      .describe(
        "Whom the view is tied to: the signed-in user, the X-Session-Id, or no one (it then counts for popularity only)",
      ),
  })
  .meta({ id: "RecordedView" });

const productSummarySchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    price: named(moneySchema, "Money"),
    image: z.string().nullable().describe("The product's first image, if it has one"),
  })
  .meta({ id: "RecommendedProduct" });

const recommendationSchema = z
  .object({
    product: productSummarySchema,
    score: z
      .number()
      .min(0)
      .describe(
        "Today's decayed evidence behind the reason (README: each piece halves every half-life); comparable between items of the same reason",
      ),
    reason: z.enum(reasons),
    basedOn: z
      .string()
      .nullable()
      .describe(
        "The product the evidence links this one to: the product asked about, or for for-you the user's product that contributes most; null for popular",
      ),
  })
  .meta({ id: "Recommendation" });

export const recommendationListSchema = z
  .object({ items: z.array(recommendationSchema) })
  .meta({ id: "RecommendationList" });
