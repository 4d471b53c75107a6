import { z } from "zod";
import { defineEvent } from "../event-type.ts";
import { moneySchema } from "../money.ts";
import {
  cancellableStatusSchema,
  orderLineSchema,
  rejectionReasonSchema,
  shippingAddressSchema as shippingAddress,
  unitLineSchema,
} from "../order-shapes.ts";

const source = "mercato.orders";
const orderId = z.string().min(1).max(200);
const userId = z.string().min(1).max(200);

/** The lines of an order as the customer bought them: the prices are the checkout snapshot's. */
const orderItems = z.array(orderLineSchema).min(1).max(100);

/** Units of an order's products, with the sku inventory counts them by. */
const unitLines = z.array(unitLineSchema).min(1).max(100);

export const OrderPlaced = defineEvent({
  source,
  detailType: "OrderPlaced",
  description:
    "A customer checked out: the order is pending while inventory reserves its lines and payments authorizes its total.",
  detail: z.object({ orderId, userId, items: orderItems, total: moneySchema, shippingAddress }),
});

export const PaymentRequested = defineEvent({
  source,
  detailType: "PaymentRequested",
  description:
    "The checkout saga asks payments to authorize an order's amount. The customer's payment token travels sealed (AES-256-GCM, purpose payment-token), never in clear.",
  detail: z.object({
    orderId,
    amount: moneySchema,
    sealedToken: z.string().min(1).max(2048),
  }),
});

export const OrderConfirmed = defineEvent({
  source,
  detailType: "OrderConfirmed",
  description:
    "Stock is reserved and the payment authorized: inventory commits the reservation, payments captures, cart drops the bought units.",
  detail: z.object({ orderId, userId, items: orderItems, total: moneySchema }),
});

export const OrderRejected = defineEvent({
  source,
  detailType: "OrderRejected",
  description:
    "A pending order failed a saga step: inventory releases whatever it reserved, payments voids whatever it authorized.",
  detail: z.object({
    orderId,
    userId,
    reason: rejectionReasonSchema,
  }),
});

export const OrderCancelled = defineEvent({
  source,
  detailType: "OrderCancelled",
  description:
    "A pending or confirmed order was cancelled: payments voids or refunds, inventory releases the reservation or restocks committed units.",
  detail: z.object({
    orderId,
    userId,
    previousStatus: cancellableStatusSchema,
    cancelledBy: z.enum(["customer", "admin"]),
  }),
});

export const OrderShipped = defineEvent({
  source,
  detailType: "OrderShipped",
  description: "An admin shipped a confirmed order; it can no longer be cancelled.",
  detail: z.object({
    orderId,
    userId,
    carrier: z.string().max(100).nullable(),
    trackingNumber: z.string().max(100).nullable(),
  }),
});

export const OrderDelivered = defineEvent({
  source,
  detailType: "OrderDelivered",
  description: "A shipped order reached the customer; its units can now be returned.",
  detail: z.object({ orderId, userId }),
});

export const ReturnRequested = defineEvent({
  source,
  detailType: "ReturnRequested",
  description: "The customer announced a return of some units of a delivered order.",
  detail: z.object({
    returnId: z.string().min(1).max(200),
    orderId,
    userId,
    items: unitLines,
    reason: z.string().min(1).max(500),
  }),
});

export const ReturnReceived = defineEvent({
  source,
  detailType: "ReturnReceived",
  description:
    "Returned units arrived: payments refunds `refund` (the units' price) and inventory puts the units back on hand.",
  detail: z.object({
    returnId: z.string().min(1).max(200),
    orderId,
    userId,
    items: unitLines,
    refund: moneySchema,
  }),
});
