import { z } from "zod";
import { defineEvent } from "../event-type.ts";

const source = "mercato.cart";

export const CartItemAdded = defineEvent({
  source,
  detailType: "CartItemAdded",
  description: "A customer put a product in their cart (or more of it).",
  detail: z.object({
    cartId: z.string().min(1),
    userId: z.string().min(1),
    productId: z.string().min(1),
    quantity: z.number().int().min(1),
  }),
});
