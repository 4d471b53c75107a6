import type { AuthenticatedUser, ServiceContext } from "@mercato/platform";
import { HttpProblem } from "@mercato/platform";
import { OrderRuleError } from "../domain/decisions.ts";
import type { Order, OrderEvent } from "../domain/order.ts";
import { storeResponse } from "../store/idempotency-keys.ts";
import { changeOrderAndPublish, type OrderChange } from "../store/order-stream.ts";
import { findOrderView, type OrderView } from "../store/order-views.ts";
import type { OrdersTables } from "../store/tables.ts";

/** The answer to keep for an Idempotency-Key, stored in the command's transaction. */
export interface IdempotentAnswer {
  userId: string;
  key: string;
  requestHash: string;
  statusCode: number;
  body(after: Order): unknown;
}

/** The order if `user` may see it; others' orders are 404, so their ids reveal nothing. */
export async function visibleOrder(
  { db }: ServiceContext<OrdersTables>,
  orderId: string,
  user: AuthenticatedUser,
  who: "owner" | "owner or admin",
): Promise<OrderView> {
  const order = await findOrderView(db, orderId);
  const allowed =
    order && (order.userId === user.id || (who === "owner or admin" && user.roles.includes("admin")));
  if (!order || !allowed) throw HttpProblem.notFound(`Order ${orderId} does not exist`);
  return order;
}

/**
 * Runs a customer's or admin's command on an order in one transaction: decide, append, project,
 * publish. A rule the order's status breaks is a 409 or 422 problem and changes nothing.
 */
export async function runCommand(
  context: ServiceContext<OrdersTables>,
  orderId: string,
  decide: (order: Order) => OrderEvent[],
  correlationId: string,
  remember?: IdempotentAnswer,
): Promise<OrderChange> {
  try {
    return await context.inTransaction(async (unit) => {
      const change = await changeOrderAndPublish(unit, orderId, decide, { correlationId });
      if (!change) throw HttpProblem.notFound(`Order ${orderId} does not exist`);
      if (remember) {
        const { userId, key, requestHash, statusCode } = remember;
        const body = remember.body(change.after);
        if (!(await storeResponse(unit.transaction, userId, key, { requestHash, statusCode, body }))) {
          throw HttpProblem.conflict(
            "Another request with this Idempotency-Key was answered meanwhile; send it again",
          );
        }
      }
      return change;
    });
  } catch (error) {
    throw asProblem(error);
  }
}

/** A decision's refusal as the answer it deserves: 409 for the order's status, 422 for the request. */
export function asProblem(error: unknown): unknown {
  if (!(error instanceof OrderRuleError)) return error;
  return error.kind === "conflict"
    ? HttpProblem.conflict(error.message)
    : HttpProblem.unprocessable(error.message);
}
