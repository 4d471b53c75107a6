import { moneySchema, orderLineSchema, productIdSchema } from "@mercato/contracts";
import { z } from "zod";
import { maxLineQuantity } from "../domain/cart.ts";

export const cartSchema = z.object({
  id: z.string(),
  revision: z
    .number()
    .int()
    .min(0)
    .describe("Goes up with every change to the cart's lines; checkout places one order per revision"),
  items: z.array(
    orderLineSchema.extend({
      available: z
        .number()
        .int()
        .min(0)
        .nullable()
        .describe("Units available to sell, as inventory last announced; null until it has announced any"),
      exceedsStock: z
        .boolean()
        .describe(
          "The line asks for more units than are available: a checkout now would most likely be rejected out_of_stock",
        ),
    }),
  ),
  subtotal: moneySchema,
});

export const addItemBodySchema = z
  .object({ productId: productIdSchema, quantity: z.number().int().min(1).max(maxLineQuantity) })
  .strict();

export const setQuantityBodySchema = z
  .object({ quantity: z.number().int().min(0).max(maxLineQuantity) })
  .strict();

export const lineParamsSchema = z.object({ productId: productIdSchema });
