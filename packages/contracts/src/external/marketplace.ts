import { z } from "zod";
import { defineExternalEvent } from "../external-event-type.ts";
import {
  channelSchema as channel,
  externalOrderIdSchema as externalOrderId,
  marketplaceLinesSchema as lines,
  maxStockUnits,
  stockSkuSchema as sku,
} from "../marketplace-shapes.ts";

// api.md, "Events in: marketplaces and sellers": these act on Mercato's stock when their source
// starts with `marketplace.` or `seller.`.
const sourcePrefixes = ["marketplace.", "seller."] as const;

export const InventoryLevelChanged = defineExternalEvent({
  sourcePrefixes,
  detailType: "Inventory Level Changed",
  description:
    "A seller or marketplace counted a sku: inventory sets its units on hand, unless an update with a later (or the same) asOf was already applied.",
  detail: z.object({
    sku,
    onHand: z.number().int().min(0).max(maxStockUnits),
    asOf: z.iso.datetime({ offset: true }),
  }),
});

export const MarketplaceOrderPlaced = defineExternalEvent({
  sourcePrefixes,
  detailType: "Marketplace Order Placed",
  description:
    "An order taken on another channel: inventory takes its units, all or nothing, once per channel and externalOrderId, and answers Marketplace Order Accepted or Rejected.",
  detail: z.object({ channel, externalOrderId, lines }),
});

export const MarketplaceOrderCancelled = defineExternalEvent({
  sourcePrefixes,
  detailType: "Marketplace Order Cancelled",
  description:
    "An order of another channel was cancelled: inventory gives an accepted order's units back, once.",
  detail: z.object({ channel, externalOrderId }),
});

export const MarketplaceReturnReceived = defineExternalEvent({
  sourcePrefixes,
  detailType: "Marketplace Return Received",
  description: "Units of another channel's order came back: inventory restocks them, once per returnId.",
  detail: z.object({ channel, externalOrderId, returnId: z.string().min(1).max(128), lines }),
});
