import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { productIdSchema } from "../order-shapes.ts";

const source = "mercato.recommendations";

export const ProductViewed = defineEvent({
  source,
  detailType: "ProductViewed",
  description:
    "Someone looked at a product (POST /api/products/{id}/views): a signed-in user (userId), a storefront session (sessionId) or an anonymous visitor (neither). Recommendations learn from it like from any other event.",
  detail: z.object({
    productId: productIdSchema,
    userId: z.string().min(1).max(128).optional(),
    sessionId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{8,128}$/)
      .optional()
      .describe("The opaque id the storefront sent as X-Session-Id, when no user was signed in"),
  }),
});
