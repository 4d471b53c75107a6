import type { ServiceContext, TaskDefinition } from "@mercato/platform";
import { paymentDeadline } from "../domain/checkout-saga.ts";
import type { OrdersSettings } from "../settings.ts";
import { changeOrderAndPublish } from "../store/order-stream.ts";
import { findOverdueOrders } from "../store/order-views.ts";
import type { OrdersTables } from "../store/tables.ts";

const batchSize = 100;

/**
 * The saga's clock: an order still waiting for payments' answer past its deadline is rejected
 * with payment_timeout, which makes inventory release the stock and payments void a late
 * authorization. Any instance may sweep: each order is decided under its row lock.
 */
export const paymentTimeouts: TaskDefinition<OrdersTables, OrdersSettings> = {
  name: "payment timeout sweep",
  intervalMs: 1_000,
  interval: ({ paymentTimeoutMs }) => Math.min(1_000, Math.max(50, Math.floor(paymentTimeoutMs / 5))),
  async run(context) {
    const rejected = await rejectOverdueOrders(context, new Date());
    if (rejected > 0)
      context.logger.warn({ rejected }, "rejected orders whose payment did not answer in time");
  },
};

async function rejectOverdueOrders(context: ServiceContext<OrdersTables>, now: Date): Promise<number> {
  let rejected = 0;
  for (const id of await findOverdueOrders(context.db, now, batchSize)) {
    // One order that fails must not hold back the overdue orders behind it.
    try {
      if (await rejectIfOverdue(context, id, now)) rejected += 1;
    } catch (error) {
      context.logger.error({ err: error, orderId: id }, "payment timeout of an order failed");
    }
  }
  return rejected;
}

async function rejectIfOverdue(
  context: ServiceContext<OrdersTables>,
  id: string,
  now: Date,
): Promise<boolean> {
  return context.inTransaction(async (unit) => {
    const change = await changeOrderAndPublish(unit, id, (order) => paymentDeadline.decide(order, now), {
      correlationId: `payment-timeout-${id}`,
    });
    return (change?.events.length ?? 0) > 0;
  });
}
