import type { Kysely } from "kysely";
import { decayedAt } from "../domain/decay.ts";
import { type Recommendation, withPopular } from "../domain/recommendation.ts";
import { pairReason } from "../domain/signals.ts";
import type { RecommendationsSettings } from "../settings.ts";
import { forUser, mostPopular, relatedTo, summaryOf } from "../store/recommendation-reads.ts";
import type { RecommendationsTables } from "../store/tables.ts";

type Db = Kysely<RecommendationsTables>;

/** How many of a user's latest products their personal recommendations start from. */
export const personalSeeds = 20;

async function popular(
  db: Db,
  settings: RecommendationsSettings,
  options: { limit: number; excluding: string[]; userId?: string },
): Promise<Recommendation[]> {
  if (options.limit <= 0) return [];
  const now = Date.now();
  const rows = await mostPopular(db, options);
  return rows.map((row) => ({
    product: summaryOf(row),
    score: decayedAt(row.popularity, now, settings.halfLifeMs),
    reason: "popular",
    basedOn: null,
  }));
}

/**
 * The product's neighbours, then popular products to fill `limit`; never the product itself.
 * Undefined when the product is unknown or deleted.
 */
export async function recommendRelated(
  db: Db,
  settings: RecommendationsSettings,
  productId: string,
  limit: number,
): Promise<Recommendation[] | undefined> {
  const rows = await relatedTo(db, productId, limit);
  if (!rows) return undefined;
  const now = Date.now();
  const related: Recommendation[] = rows.map((row) => ({
    product: summaryOf(row),
    score: decayedAt(row.score, now, settings.halfLifeMs),
    reason: pairReason(row.bought, row.viewed),
    basedOn: productId,
  }));
  const fill = await popular(db, settings, {
    limit: limit - related.length,
    excluding: [productId, ...related.map((item) => item.product.id)],
  });
  return withPopular(related, fill, limit);
}

export async function recommendPopular(
  db: Db,
  settings: RecommendationsSettings,
  limit: number,
): Promise<Recommendation[]> {
  return popular(db, settings, { limit, excluding: [] });
}

/** Neighbours of what the user looked at, carted and bought, then popular products to fill `limit`. */
export async function recommendForUser(
  db: Db,
  settings: RecommendationsSettings,
  userId: string,
  limit: number,
): Promise<Recommendation[]> {
  const rows = await forUser(db, userId, { limit, recentItems: personalSeeds });
  const now = Date.now();
  const personal: Recommendation[] = rows.map((row) => ({
    product: summaryOf(row),
    score: decayedAt(Number(row.score), now, settings.halfLifeMs),
    reason: "for-you",
    basedOn: row.based_on,
  }));
  const fill = await popular(db, settings, {
    limit: limit - personal.length,
    excluding: personal.map((item) => item.product.id),
    userId,
  });
  return withPopular(personal, fill, limit);
}
