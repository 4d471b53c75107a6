import {
  currentUser,
  decodeCursor,
  HttpProblem,
  listResponseSchema,
  operation,
  pageOf,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { cancelOrder, deliverOrder, shipOrder } from "../domain/decisions.ts";
import { readStream } from "../store/order-stream.ts";
import { listOrders, viewOf } from "../store/order-views.ts";
import type { OrdersTables } from "../store/tables.ts";
import { runCommand, visibleOrder } from "./order-commands.ts";
import {
  orderBody,
  orderCursorSchema,
  orderListQuerySchema,
  orderParamsSchema,
  orderSchema,
  shipBodySchema,
  timelineBody,
  timelineSchema,
} from "./order-schemas.ts";

const tags = ["orders"];
const notFound = "No such order, or not yours";
const conflict = "The order's status does not allow this";
const theOrder = (description: string) => ({ description, schema: orderSchema });

/** The Orders section of api.md, apart from checkout and returns. */
export function registerOrderRoutes(app: FastifyInstance, context: ServiceContext<OrdersTables>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;

  api.get(
    "/api/orders",
    {
      // Checked before the query is validated: strangers learn nothing from 400s.
      onRequest: requireUser(),
      schema: operation({
        operationId: "listOrders",
        tags,
        summary: "The signed-in user's orders, newest first (everyone's with all=true, admin)",
        access: "user",
        querystring: orderListQuerySchema,
        responses: { 200: { description: "A page of orders", schema: listResponseSchema(orderSchema) } },
        errors: { 403: "all=true needs the admin role" },
      }),
    },
    async (request) => {
      const user = currentUser(request);
      const { all, status, limit, cursor } = request.query;
      if (all && !user.roles.includes("admin"))
        throw HttpProblem.forbidden("Only admins can list everyone's orders");
      const rows = await listOrders(db, {
        ...(all ? {} : { userId: user.id }),
        ...(status ? { status } : {}),
        limit,
        ...(cursor ? { after: decodeCursor(cursor, orderCursorSchema) } : {}),
      });
      return pageOf(rows, limit, orderBody, (last) => ({
        createdAt: last.createdAt.toISOString(),
        id: last.id,
      }));
    },
  );

  api.get(
    "/api/orders/:id",
    {
      onRequest: requireUser(),
      schema: operation({
        operationId: "getOrder",
        tags,
        summary: "One order (its owner or an admin)",
        access: "user",
        params: orderParamsSchema,
        responses: { 200: theOrder("The order") },
        errors: { 404: notFound },
      }),
    },
    async (request) =>
      orderBody(await visibleOrder(context, request.params.id, currentUser(request), "owner or admin")),
  );

  api.get(
    "/api/orders/:id/timeline",
    {
      onRequest: requireUser(),
      schema: operation({
        operationId: "getOrderTimeline",
        tags,
        summary: "An order's events, oldest first (its owner or an admin)",
        access: "user",
        params: orderParamsSchema,
        responses: { 200: { description: "The timeline", schema: timelineSchema } },
        errors: { 404: notFound },
      }),
    },
    async (request) => {
      const order = await visibleOrder(context, request.params.id, currentUser(request), "owner or admin");
      return timelineBody(await readStream(db, order.id));
    },
  );

  api.post(
    "/api/orders/:id/cancel",
    {
      onRequest: requireUser(),
      schema: operation({
        operationId: "cancelOrder",
        tags,
        summary: "Cancel an order (its owner or an admin)",
        access: "user",
        params: orderParamsSchema,
        responses: { 202: theOrder("Cancelled; the refund and restock follow as events") },
        errors: { 404: notFound, 409: conflict },
      }),
    },
    async (request, reply) => {
      const user = currentUser(request);
      const order = await visibleOrder(context, request.params.id, user, "owner or admin");
      const cancelledBy = order.userId === user.id ? "customer" : "admin";
      const change = await runCommand(
        context,
        order.id,
        (current) => cancelOrder(current, cancelledBy),
        request.correlationId,
      );
      return reply.code(202).send(orderBody(viewOf(change.after)));
    },
  );

  api.post(
    "/api/orders/:id/ship",
    {
      onRequest: requireUser("admin"),
      bodyLimit: 1024,
      schema: operation({
        operationId: "shipOrder",
        tags,
        summary: "Mark an order shipped (admin)",
        access: "admin",
        params: orderParamsSchema,
        body: shipBodySchema,
        responses: { 200: theOrder("The order, shipped") },
        errors: { 404: notFound, 409: conflict },
      }),
    },
    async (request) => {
      const shipment = {
        carrier: request.body?.carrier ?? null,
        trackingNumber: request.body?.trackingNumber ?? null,
      };
      const change = await runCommand(
        context,
        request.params.id,
        (order) => shipOrder(order, shipment),
        request.correlationId,
      );
      return orderBody(viewOf(change.after));
    },
  );

  api.post(
    "/api/orders/:id/deliver",
    {
      onRequest: requireUser("admin"),
      schema: operation({
        operationId: "deliverOrder",
        tags,
        summary: "Mark an order delivered (admin)",
        access: "admin",
        params: orderParamsSchema,
        responses: { 200: theOrder("The order, delivered") },
        errors: { 404: notFound, 409: conflict },
      }),
    },
    async (request) => {
      const change = await runCommand(context, request.params.id, deliverOrder, request.correlationId);
      return orderBody(viewOf(change.after));
    },
  );
}
