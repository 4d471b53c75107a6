import type { Money, RejectionReason } from "@mercato/contracts";
import { moneyText } from "./money-text.ts";
import type { NotificationDraft } from "./notification.ts";

const orderLink = (orderId: string) => `/orders/${orderId}`;

const rejectionText: Record<RejectionReason, string> = {
  out_of_stock: "some of its items are out of stock",
  payment_declined: "the payment was declined",
  payment_timeout: "the payment did not go through in time",
};

export function orderConfirmed(order: { orderId: string; total: Money; units: number }): NotificationDraft {
  const units = order.units === 1 ? "1 item" : `${order.units} items`;
  return {
    type: "order.confirmed",
    title: "Order confirmed",
    body: `Your order of ${units} for ${moneyText(order.total)} is confirmed. We will tell you when it ships.`,
    link: orderLink(order.orderId),
  };
}

export function orderRejected(order: { orderId: string; reason: RejectionReason }): NotificationDraft {
  return {
    type: "order.rejected",
    title: "Order not placed",
    body: `We could not take your order: ${rejectionText[order.reason]}. Nothing was charged.`,
    link: orderLink(order.orderId),
  };
}

export function orderCancelled(order: {
  orderId: string;
  cancelledBy: "customer" | "admin";
}): NotificationDraft {
  const who = order.cancelledBy === "customer" ? "as you asked" : "by the shop";
  return {
    type: "order.cancelled",
    title: "Order cancelled",
    body: `Your order was cancelled ${who}. Any payment taken is refunded.`,
    link: orderLink(order.orderId),
  };
}

export function orderShipped(order: {
  orderId: string;
  carrier: string | null;
  trackingNumber: string | null;
}): NotificationDraft {
  const carrier = order.carrier ? ` with ${order.carrier}` : "";
  const tracking = order.trackingNumber ? ` Tracking number: ${order.trackingNumber}.` : "";
  return {
    type: "order.shipped",
    title: "Order shipped",
    body: `Your order is on its way${carrier}.${tracking}`,
    link: orderLink(order.orderId),
  };
}

export function orderDelivered(order: { orderId: string }): NotificationDraft {
  return {
    type: "order.delivered",
    title: "Order delivered",
    body: "Your order was delivered. Enjoy it!",
    link: orderLink(order.orderId),
  };
}

export function refundIssued(refund: {
  orderId: string;
  amount: Money;
  returnId: string | null;
}): NotificationDraft {
  const what = refund.returnId ? "the items you returned" : "your cancelled order";
  return {
    type: "refund.issued",
    title: "Refund issued",
    body: `We refunded ${moneyText(refund.amount)} for ${what}.`,
    link: orderLink(refund.orderId),
  };
}
