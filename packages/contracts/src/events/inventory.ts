import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import {
  channelSchema as channel,
  externalOrderIdSchema as externalOrderId,
  marketplaceLinesSchema as marketplaceLines,
} from "../marketplace-shapes.ts";
import { skuSchema as sku } from "../order-shapes.ts";

const source = "mercato.inventory";
const count = z.number().int().min(0);
const orderId = z.string().min(1).max(200);
const stockLines = z
  .array(z.object({ sku, quantity: z.number().int().min(1) }))
  .min(1)
  .describe("One line per sku, in sku order");

export const StockLevelChanged = defineEvent({
  source,
  detailType: "StockLevelChanged",
  description:
    "What a sku has available to sell changed (restock, reservation, release, cancellation or return). A commit, which takes reserved units off the books without changing what is available, announces StockCommitted only.",
  detail: z.object({ sku: z.string().min(1), onHand: count, reserved: count, available: count }),
});

export const BackInStock = defineEvent({
  source,
  detailType: "BackInStock",
  description: "A sku that had nothing available has stock again.",
  detail: z.object({ sku: z.string().min(1), available: count.min(1) }),
});

export const StockReserved = defineEvent({
  source,
  detailType: "StockReserved",
  description:
    "Every line of an order is reserved (all or nothing) until expiresAt, unless committed or released first.",
  detail: z.object({ orderId, lines: stockLines, expiresAt: z.iso.datetime() }),
});

export const StockReservationFailed = defineEvent({
  source,
  detailType: "StockReservationFailed",
  description:
    "An order's lines could not all be reserved; nothing was reserved. Lists the skus short, and for each what the order asked and what was available.",
  detail: z.object({
    orderId,
    lines: stockLines,
    reason: z.enum(["out_of_stock"]),
    shortSkus: z.array(sku).min(1),
    // Optional so that a failure published before the field existed still reads: consumers
    // then know the short skus only.
    shortages: z
      .array(z.object({ sku, requested: z.number().int().min(1), available: count }))
      .min(1)
      .optional()
      .describe("One entry per short sku, in sku order: the units the order asked and those available then"),
  }),
});

export const StockReleased = defineEvent({
  source,
  detailType: "StockReleased",
  description:
    "An order's reservation was given back to available stock: released by the saga, or expired (expired: true).",
  detail: z.object({ orderId, lines: stockLines, expired: z.boolean() }),
});

export const StockCommitted = defineEvent({
  source,
  detailType: "StockCommitted",
  description: "An order's reserved stock left the warehouse's books: on hand and reserved both went down.",
  detail: z.object({ orderId, lines: stockLines }),
});

const marketplaceOrder = { channel, externalOrderId, lines: marketplaceLines };

export const MarketplaceOrderAccepted = defineEvent({
  source,
  detailType: "Marketplace Order Accepted",
  description:
    "Inventory took every unit of another channel's order (Marketplace Order Placed) from the one stock all channels sell from. Lines are one per sku, in sku order.",
  detail: z.object(marketplaceOrder),
});

export const MarketplaceOrderRejected = defineEvent({
  source,
  detailType: "Marketplace Order Rejected",
  description:
    "Inventory took nothing for another channel's order: a sku it does not stock (unknown_sku, which wins) or one with fewer units available than asked (out_of_stock). Lists those skus.",
  detail: z.object({
    ...marketplaceOrder,
    reason: z.enum(["out_of_stock", "unknown_sku"]),
    skus: z.array(sku).min(1),
  }),
});
