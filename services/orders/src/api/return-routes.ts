import { currentUser, HttpProblem, operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import { receiveReturn, requestReturn } from "../domain/decisions.ts";
import type { Order } from "../domain/order.ts";
import { requestHash } from "../domain/request-hash.ts";
import { findReturnView, type ReturnView } from "../store/order-views.ts";
import type { OrdersTables } from "../store/tables.ts";
import { answerOnce } from "./first-answer.ts";
import { runCommand, visibleOrder } from "./order-commands.ts";
import {
  optionalIdempotencyHeadersSchema,
  orderParamsSchema,
  returnBody,
  returnBodySchema,
  returnSchema,
} from "./order-schemas.ts";

const tags = ["returns"];

/** Returns: the customer announces them, an admin receives them; refund and restock follow as events. */
export function registerReturnRoutes(app: FastifyInstance, context: ServiceContext<OrdersTables>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    "/api/orders/:id/returns",
    {
      // Checked before the body is read: strangers learn nothing from 400s.
      onRequest: requireUser(),
      bodyLimit: 16 * 1024,
      schema: operation({
        operationId: "requestReturn",
        tags,
        summary: "Announce a return of a delivered order's units (its owner)",
        access: "user",
        params: orderParamsSchema,
        headers: optionalIdempotencyHeadersSchema,
        body: returnBodySchema,
        responses: { 202: { description: "The return, requested", schema: returnSchema } },
        errors: {
          404: "No such order, or not yours",
          409: "The order is not delivered, or the Idempotency-Key was used for another request",
          422: "More units than were bought, or a product not in the order",
        },
      }),
    },
    async (request, reply) => {
      const user = currentUser(request);
      const order = await visibleOrder(context, request.params.id, user, "owner");
      const key = request.headers["idempotency-key"];
      const hash = requestHash("POST", `/api/orders/${order.id}/returns`, request.body);
      const returnId = uuidv7();
      const answer = (after: Order) => returnBody(returnOf(after, returnId));
      // A copy committed meanwhile took the key, and the units with it: this one gets that return.
      const body = await answerOnce(context.db, { userId: user.id, key, hash }, returnSchema, async () => {
        const change = await runCommand(
          context,
          order.id,
          (current) => requestReturn(current, { returnId, ...request.body }),
          request.correlationId,
          key ? { userId: user.id, key, requestHash: hash, statusCode: 202, body: answer } : undefined,
        );
        return answer(change.after);
      });
      return reply.code(202).send(body);
    },
  );

  api.post(
    "/api/returns/:id/receive",
    {
      onRequest: requireUser("admin"),
      schema: operation({
        operationId: "receiveReturn",
        tags,
        summary: "Record a return's units as received (admin); the refund and restock follow",
        access: "admin",
        params: orderParamsSchema,
        responses: {
          200: {
            description: "The return, received; receiving it again answers it unchanged",
            schema: returnSchema,
          },
        },
        errors: { 404: "No such return" },
      }),
    },
    async (request) => {
      const found = await findReturnView(context.db, request.params.id);
      if (!found) throw HttpProblem.notFound(`Return ${request.params.id} does not exist`);
      const change = await runCommand(
        context,
        found.orderId,
        (order) => receiveReturn(order, found.id),
        request.correlationId,
      );
      return returnBody(returnOf(change.after, found.id));
    },
  );
}

function returnOf(order: Order, returnId: string): ReturnView {
  const entry = order.returns.find((candidate) => candidate.id === returnId);
  if (!entry) throw new Error(`Order ${order.id} has no return ${returnId}`);
  return { ...entry, orderId: order.id, userId: order.userId };
}
