import { z } from "zod";

const dayMs = 24 * 60 * 60_000;

export const recommendationsSettings = z
  .object({
    MERCATO_RECOMMENDATIONS_HALF_LIFE_DAYS: z.coerce.number().min(7).max(3650).default(14),
    MERCATO_RECOMMENDATIONS_NEIGHBOURS: z.coerce.number().int().min(1).max(1000).default(50),
    MERCATO_RECOMMENDATIONS_USER_HISTORY: z.coerce.number().int().min(1).max(1000).default(50),
  })
  .transform((env) => ({
    /** After how long a piece of evidence counts half as much. */
    halfLifeMs: env.MERCATO_RECOMMENDATIONS_HALF_LIFE_DAYS * dayMs,
    /** The neighbours kept per product by the pruning task. */
    neighbours: env.MERCATO_RECOMMENDATIONS_NEIGHBOURS,
    /** The products kept per user by the pruning task. */
    userHistory: env.MERCATO_RECOMMENDATIONS_USER_HISTORY,
  }));

export type RecommendationsSettings = z.infer<typeof recommendationsSettings>;
