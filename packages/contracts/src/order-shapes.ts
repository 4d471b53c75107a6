import { z } from "zod";
import { moneySchema } from "./money.ts";

// The shapes that orders, cart and the events share: declared once here, inferred everywhere else.
// Only event types are exported from events/*.ts (the catalog lists them), so the shapes live here.

const text = (max: number) => z.string().trim().min(1).max(max);

export const productIdSchema = z.string().min(1).max(128);
export const skuSchema = z.string().min(1).max(64);

/**
 * A line as the customer buys it: a product, its sku, how many, and the price of the checkout
 * snapshot. The order's items, cart's lines and the orders events all have this shape.
 */
export const orderLineSchema = z.object({
  productId: productIdSchema,
  sku: skuSchema,
  name: z.string().min(1).max(200),
  quantity: z.number().int().min(1).max(99),
  unitPrice: moneySchema,
  lineTotal: moneySchema,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

/** Units of an order's products, with the sku inventory counts them by (returns, commits). */
export const unitLineSchema = z.object({
  productId: productIdSchema,
  sku: skuSchema,
  quantity: z.number().int().min(1),
});
export type UnitLine = z.infer<typeof unitLineSchema>;

/** A returned line: the units with the name the customer bought them under. */
export const returnLineSchema = orderLineSchema.pick({
  productId: true,
  sku: true,
  name: true,
  quantity: true,
});
export type ReturnLine = z.infer<typeof returnLineSchema>;

/** Where an order goes. Text is trimmed; the API also insists on an upper-case country code. */
export const shippingAddressSchema = z.object({
  name: text(200),
  line1: text(200),
  line2: z.string().trim().max(200).optional(),
  city: text(100),
  postalCode: text(20),
  country: z.string().length(2),
});
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

/** Every status an order can have; orders' domain/order-status.ts says which moves are allowed. */
export const orderStatusSchema = z.enum([
  "pending",
  "confirmed",
  "rejected",
  "cancelled",
  "shipped",
  "delivered",
  "returned",
]);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** The statuses an order can be cancelled from (OrderCancelled.previousStatus). */
export const cancellableStatusSchema = orderStatusSchema.extract(["pending", "confirmed"]);
export type CancellableStatus = z.infer<typeof cancellableStatusSchema>;

/** Why the saga rejected an order. */
export const rejectionReasonSchema = z.enum(["out_of_stock", "payment_declined", "payment_timeout"]);
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

export const returnStatusSchema = z.enum(["requested", "received", "refunded"]);
export type ReturnStatus = z.infer<typeof returnStatusSchema>;
