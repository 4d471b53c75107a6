import {
  shippingAddressSchema as addressShape,
  moneySchema,
  orderLineSchema,
  orderStatusSchema,
  productIdSchema,
  rejectionReasonSchema,
  returnLineSchema,
  returnStatusSchema,
} from "@mercato/contracts";
import { cursorFields, listQuerySchema } from "@mercato/platform";
import { z } from "zod";
import type { RecordedEvent } from "../domain/order.ts";
import type { OrderView, ReturnView } from "../store/order-views.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

/** The address of contracts; a client must also write the country in capitals. */
export const shippingAddressSchema = addressShape
  .extend({ country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code like DE") })
  .strict();

export const placeOrderBodySchema = z
  .object({
    shippingAddress: shippingAddressSchema,
    payment: z.object({ token: text(256) }).strict(),
  })
  .strict();

export const idempotencyHeadersSchema = z.object({
  "idempotency-key": z
    .string({ message: "Idempotency-Key header is required" })
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
});

export const optionalIdempotencyHeadersSchema = idempotencyHeadersSchema.partial();

export const orderParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const orderListQuerySchema = listQuerySchema.extend({
  status: orderStatusSchema.optional(),
  all: z
    .enum(["true", "false"])
    .optional()
    .transform((value) => value === "true"),
});

export const orderCursorSchema = z
  .object({ createdAt: cursorFields.timestamp, id: cursorFields.uuid })
  .strict();

export const shipBodySchema = z
  .object({ carrier: text(100).optional(), trackingNumber: text(100).optional() })
  .strict()
  .nullish();

export const returnBodySchema = z
  .object({
    items: z
      .array(z.object({ productId: productIdSchema, quantity: z.number().int().min(1).max(99) }).strict())
      .min(1)
      .max(100),
    reason: text(500),
  })
  .strict();

const shortageSchema = z.object({
  sku: z.string(),
  requested: z.number().int().describe("Units of the sku the order asked for"),
  available: z
    .number()
    .int()
    .nullable()
    .describe(
      "Units inventory had available when it tried to reserve; null for orders rejected before it said",
    ),
});

export const orderSchema = z
  .object({
    id: z.string(),
    status: orderStatusSchema,
    statusReason: rejectionReasonSchema.nullable(),
    items: z.array(orderLineSchema),
    total: moneySchema,
    shippingAddress: shippingAddressSchema,
    // A default, so that answers kept for an Idempotency-Key before the field existed still read.
    shortages: z
      .array(shortageSchema)
      .default([])
      .describe("The skus short when the order was rejected out_of_stock, sku by sku; empty otherwise"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Order" });

export type OrderBody = z.infer<typeof orderSchema>;

export function orderBody(view: OrderView): OrderBody {
  return {
    id: view.id,
    status: view.status,
    statusReason: view.statusReason,
    items: view.items,
    total: view.total,
    shippingAddress: view.shippingAddress,
    shortages: view.shortages,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}

export const returnSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    status: returnStatusSchema,
    items: z.array(returnLineSchema),
    reason: z.string(),
    refund: moneySchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Return" });

export function returnBody(view: ReturnView): z.infer<typeof returnSchema> {
  return {
    id: view.id,
    orderId: view.orderId,
    status: view.status,
    items: view.items,
    reason: view.reason,
    refund: view.refund,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}

export const timelineSchema = z.object({
  items: z.array(
    z.object({ type: z.string(), at: z.iso.datetime(), detail: z.record(z.string(), z.unknown()) }),
  ),
});

/** The order's stream, oldest first (it never holds the payment token: see store/payment-tokens.ts). */
export function timelineBody(events: readonly RecordedEvent[]): z.infer<typeof timelineSchema> {
  return {
    items: events.map((event) => ({
      type: event.type,
      at: event.at.toISOString(),
      detail: { ...event.detail },
    })),
  };
}
