import { z } from "zod";

// What marketplaces and sellers send about their orders and stock, and what inventory answers.

/** A sku as inventory stores it: a letter or digit, then up to 63 letters, digits, `.`, `_`, `-`. */
export const stockSkuSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "A sku is 1 to 64 letters, digits, '.', '_' or '-'");

/** The most units one sku can hold or one line can ask for (inventory's bound). */
export const maxStockUnits = 1_000_000;

/** The sales channel an external order comes from: `amazon`, `ebay.de`, `acme-shop`. */
export const channelSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "A channel is 1 to 64 letters, digits, '.', '_' or '-'");

/** The order's id in its channel; unique per channel. */
export const externalOrderIdSchema = z.string().min(1).max(128);

export const marketplaceLinesSchema = z
  .array(z.object({ sku: stockSkuSchema, quantity: z.number().int().min(1).max(maxStockUnits) }))
  .min(1)
  .max(100);

export type MarketplaceLine = z.infer<typeof marketplaceLinesSchema>[number];
