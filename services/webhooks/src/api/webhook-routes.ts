import { decodeCursor, encodeCursor, listResponseSchema, operation, requireUser } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { WebhooksContext } from "../resources.ts";
import { listDeliveries } from "../store/deliveries.ts";
import { findWebhook, listWebhooks } from "../store/webhooks.ts";
import {
  changeWebhook,
  createWebhook,
  maxWebhooks,
  removeWebhook,
  webhookNotFound,
} from "./webhook-commands.ts";
import {
  createdWebhookSchema,
  createWebhookBody,
  deliveryBody,
  deliverySchema,
  pageQuery,
  positionSchema,
  updateWebhookBody,
  webhookBody,
  webhookIdParams,
  webhookSchema,
} from "./webhook-schemas.ts";

const tags = ["webhooks"];
const bodyLimit = 16 * 1024;
const notFound = { 404: "No such webhook" };

/** `{ items, nextCursor }` from one row more than the page: the cursor is the last item's id. */
function page<Row extends { id: string }, Item>(rows: Row[], limit: number, item: (row: Row) => Item) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(item),
    nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
  };
}

/** The webhooks API (api.md, "Webhooks (admin)"). */
export function registerWebhookRoutes(app: FastifyInstance, context: WebhooksContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // onRequest: the token is checked before the body is read, so strangers learn nothing from 400s.
  const admin = requireUser("admin");

  api.post(
    "/api/webhooks",
    {
      onRequest: admin,
      bodyLimit,
      schema: operation({
        operationId: "createWebhook",
        tags,
        summary: "Register a webhook: events matching its pattern are POSTed to its URL, signed (admin)",
        access: "admin",
        body: createWebhookBody,
        responses: {
          201: {
            description: "The webhook, with its signing secret (shown only here)",
            schema: createdWebhookSchema,
          },
        },
        errors: {
          400: "The request is invalid: a field, the URL (not http or https) or the event pattern",
          422: `The URL points to an address webhooks may not reach, or there are ${maxWebhooks} webhooks already`,
          503: "The event bus did not take the webhook's queue",
        },
      }),
    },
    async (request, reply) => {
      const { webhook, secret } = await createWebhook(context, request.body);
      return reply
        .code(201)
        .header("location", `/api/webhooks/${webhook.id}`)
        .send({ ...webhookBody(webhook), secret });
    },
  );

  api.get(
    "/api/webhooks",
    {
      onRequest: admin,
      schema: operation({
        operationId: "listWebhooks",
        tags,
        summary: "The webhooks, newest first, without their secrets (admin)",
        access: "admin",
        querystring: pageQuery,
        responses: { 200: { description: "A page of webhooks", schema: listResponseSchema(webhookSchema) } },
      }),
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const afterId = cursor === undefined ? undefined : decodeCursor(cursor, positionSchema).id;
      return page(await listWebhooks(context.db, { limit: limit + 1, afterId }), limit, webhookBody);
    },
  );

  api.get(
    "/api/webhooks/:id",
    {
      onRequest: admin,
      schema: operation({
        operationId: "getWebhook",
        tags,
        summary: "One webhook, without its secret (admin)",
        access: "admin",
        params: webhookIdParams,
        responses: { 200: { description: "The webhook", schema: webhookSchema } },
        errors: notFound,
      }),
    },
    async (request) => {
      const webhook = await findWebhook(context.db, request.params.id);
      if (!webhook) throw webhookNotFound(request.params.id);
      return webhookBody(webhook);
    },
  );

  api.patch(
    "/api/webhooks/:id",
    {
      onRequest: admin,
      bodyLimit,
      schema: operation({
        operationId: "updateWebhook",
        tags,
        summary: "Change a webhook's URL, pattern, description, or enable or disable it (admin)",
        access: "admin",
        params: webhookIdParams,
        body: updateWebhookBody,
        responses: { 200: { description: "The webhook as changed", schema: webhookSchema } },
        errors: {
          ...notFound,
          400: "The request is invalid: a field, the URL (not http or https) or the event pattern",
          422: "The URL points to an address webhooks may not reach",
        },
      }),
    },
    async (request) => webhookBody(await changeWebhook(context, request.params.id, request.body)),
  );

  api.delete(
    "/api/webhooks/:id",
    {
      onRequest: admin,
      schema: operation({
        operationId: "deleteWebhook",
        tags,
        summary: "Delete a webhook with its queue, dead letters and delivery log (admin)",
        access: "admin",
        params: webhookIdParams,
        responses: { 204: "empty" },
        errors: notFound,
      }),
    },
    async (request, reply) => {
      await removeWebhook(context, request.params.id);
      return reply.code(204).send(null);
    },
  );

  api.get(
    "/api/webhooks/:id/deliveries",
    {
      onRequest: admin,
      schema: operation({
        operationId: "listWebhookDeliveries",
        tags,
        summary: "A webhook's delivery attempts, newest first (admin)",
        access: "admin",
        params: webhookIdParams,
        querystring: pageQuery,
        responses: { 200: { description: "A page of attempts", schema: listResponseSchema(deliverySchema) } },
        errors: notFound,
      }),
    },
    async (request) => {
      const { id } = request.params;
      const { limit, cursor } = request.query;
      const afterId = cursor === undefined ? undefined : decodeCursor(cursor, positionSchema).id;
      if (!(await findWebhook(context.db, id))) throw webhookNotFound(id);
      return page(await listDeliveries(context.db, id, { limit: limit + 1, afterId }), limit, deliveryBody);
    },
  );
}
