import { z } from "zod";
import { defineEvent } from "../event-type.ts";

const source = "mercato.inventory";
const count = z.number().int().min(0);

export const StockLevelChanged = defineEvent({
  source,
  detailType: "StockLevelChanged",
  description: "A sku's stock levels changed (restock, reservation, release, commit or return).",
  detail: z.object({ sku: z.string().min(1), onHand: count, reserved: count, available: count }),
});

export const BackInStock = defineEvent({
  source,
  detailType: "BackInStock",
  description: "A sku that had nothing available has stock again.",
  detail: z.object({ sku: z.string().min(1), available: count.min(1) }),
});
