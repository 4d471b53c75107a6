import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { moneySchema } from "../money.ts";
import { skuSchema } from "../order-shapes.ts";

const source = "mercato.catalog";

const productFields = {
  productId: z.string().min(1),
  sku: skuSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(10_000),
  category: z.string().min(1).max(100),
  price: moneySchema,
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  images: z.array(z.string()),
  /** Whether inventory last said the sku has stock available. */
  inStock: z.boolean(),
};

export const ProductCreated = defineEvent({
  source,
  detailType: "ProductCreated",
  description: "A product was added to the catalog.",
  detail: z.object(productFields),
});

export const ProductUpdated = defineEvent({
  source,
  detailType: "ProductUpdated",
  description:
    "A product's fields changed (also when an upload added an image or availability flipped); carries the whole product and the names of the changed fields.",
  detail: z.object({ ...productFields, changed: z.array(z.string()) }),
});

export const PriceChanged = defineEvent({
  source,
  detailType: "PriceChanged",
  description:
    "A product's price changed (also announced by ProductUpdated); for price-drop watches and carts.",
  detail: z.object({
    productId: z.string().min(1),
    sku: z.string().min(1),
    oldPrice: moneySchema,
    newPrice: moneySchema,
  }),
});

export const ProductDeleted = defineEvent({
  source,
  detailType: "ProductDeleted",
  description: "A product was removed from the catalog.",
  detail: z.object({ productId: z.string().min(1), sku: z.string().min(1) }),
});
