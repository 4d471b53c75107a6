import {
  type EventEnvelope,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  ReturnReceived,
} from "@mercato/contracts";
import type { StockLine } from "../src/index.ts";

/** The events orders publishes for one order, as it would publish them, under one correlation id. */
export function orderEvents(orderId: string, lines: StockLine[]) {
  const context = { correlationId: `checkout-${orderId}` };
  const userId = "user-1";
  const price = { amount: 1000, currency: "EUR" };
  const items = lines.map(({ sku, quantity }) => ({
    productId: `product-${sku}`,
    sku,
    name: `Product ${sku}`,
    quantity,
    unitPrice: price,
    lineTotal: { amount: price.amount * quantity, currency: "EUR" },
  }));
  const total = { amount: items.reduce((sum, item) => sum + item.lineTotal.amount, 0), currency: "EUR" };
  return {
    placed: (): EventEnvelope =>
      OrderPlaced.create(
        {
          orderId,
          userId,
          items,
          total,
          shippingAddress: {
            name: "A. Buyer",
            line1: "1 Main St",
            city: "Paris",
            postalCode: "75001",
            country: "FR",
          },
        },
        context,
      ),
    confirmed: (): EventEnvelope => OrderConfirmed.create({ orderId, userId, items, total }, context),
    rejected: (reason: "out_of_stock" | "payment_declined" | "payment_timeout"): EventEnvelope =>
      OrderRejected.create({ orderId, userId, reason }, context),
    cancelled: (previousStatus: "pending" | "confirmed"): EventEnvelope =>
      OrderCancelled.create({ orderId, userId, previousStatus, cancelledBy: "customer" }, context),
    returnReceived: (returnId: string, returned: StockLine[]): EventEnvelope =>
      ReturnReceived.create(
        {
          returnId,
          orderId,
          userId,
          items: returned.map(({ sku, quantity }) => ({ productId: `product-${sku}`, sku, quantity })),
          refund: { amount: 1000, currency: "EUR" },
        },
        context,
      ),
  };
}
