import {
  OrderCancelled,
  OrderConfirmed,
  OrderDelivered,
  OrderPlaced,
  OrderRejected,
  OrderShipped,
  PaymentRefunded,
  UserRegistered,
} from "@mercato/contracts";
import { on, type SubscriptionDefinition } from "@mercato/platform";
import { rememberCustomer } from "../store/replicas.ts";
import type { NotificationsTables } from "../store/tables.ts";
import {
  onOrderCancelled,
  onOrderConfirmed,
  onOrderDelivered,
  onOrderPlaced,
  onOrderRejected,
  onOrderShipped,
} from "./order-notices.ts";
import { onPaymentRefunded } from "./payment-refunded.ts";

/** What customers hear about their orders and refunds (queue `notifications-customer-notices`). */
export const customerNotices: SubscriptionDefinition<NotificationsTables> = {
  name: "customer-notices",
  // A refund that overtook its order's events waits for them: retry soon, then less often.
  queue: { backoff: { baseMs: 200, maxMs: 10_000 }, maxReceiveCount: 8 },
  handlers: [
    on(UserRegistered, (event, { transaction }) => rememberCustomer(transaction, event.detail)),
    on(OrderPlaced, onOrderPlaced),
    on(OrderConfirmed, onOrderConfirmed),
    on(OrderRejected, onOrderRejected),
    on(OrderCancelled, onOrderCancelled),
    on(OrderShipped, onOrderShipped),
    on(OrderDelivered, onOrderDelivered),
    on(PaymentRefunded, onPaymentRefunded),
  ],
};
