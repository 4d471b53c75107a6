import {
  cursorFields,
  decodeCursor,
  HttpProblem,
  listQuerySchema,
  listResponseSchema,
  operation,
  pageOf,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { newApiKeySecrets } from "../domain/api-key-secrets.ts";
import { createApiKey, deleteApiKey, listApiKeys } from "../store/api-keys.ts";
import type { EventsTables } from "../store/tables.ts";

const tags = ["events"];

const apiKeySchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: "ApiKey", description: "An API key, without its secrets" });

const createdApiKeySchema = apiKeySchema
  .extend({
    key: z.string().describe("For `Authorization: Bearer <key>` on POST /api/events; shown only here"),
    accessKeyId: z.string().describe("SigV4 access key id for /aws/events; shown only here"),
    secretAccessKey: z.string().describe("SigV4 secret access key for /aws/events; shown only here"),
  })
  .meta({ id: "CreatedApiKey", description: "A new API key with its secrets, which no later answer shows" });

const createBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();
const idParams = z.object({ id: z.uuid() });
const cursorSchema = z.object({ createdAt: cursorFields.timestamp, id: cursorFields.uuid });

/** `POST`, `GET /api/api-keys` and `DELETE /api/api-keys/{id}` (api.md, "Events in"), admin only. */
export function registerApiKeyRoutes(app: FastifyInstance, context: ServiceContext<EventsTables>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // onRequest: the token is checked before the body is read, so strangers learn nothing from 400s.
  const admin = requireUser("admin");
  const { db } = context;

  api.post(
    "/api/api-keys",
    {
      onRequest: admin,
      bodyLimit: 1024,
      schema: operation({
        operationId: "createApiKey",
        tags,
        summary: "Create an API key for sending events (admin)",
        description:
          "The bearer key, access key id and secret access key appear only in this answer; Mercato keeps fingerprints of the first two and the secret sealed.",
        access: "admin",
        body: createBody,
        responses: { 201: { description: "The key and its secrets", schema: createdApiKeySchema } },
      }),
    },
    async (request, reply) => {
      const secrets = newApiKeySecrets();
      const created = await createApiKey(db, context.secrets.sealedBox, request.body.name, secrets);
      request.log.info({ apiKeyId: created.id }, "API key created");
      return reply.code(201).send({ ...created, createdAt: created.createdAt.toISOString(), ...secrets });
    },
  );

  api.get(
    "/api/api-keys",
    {
      onRequest: admin,
      schema: operation({
        operationId: "listApiKeys",
        tags,
        summary: "The API keys, newest first, without their secrets (admin)",
        access: "admin",
        querystring: listQuerySchema.strict(),
        responses: { 200: { description: "One page of keys", schema: listResponseSchema(apiKeySchema) } },
      }),
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, cursorSchema);
      const keys = await listApiKeys(db, { limit: limit + 1, after });
      return pageOf(
        keys,
        limit,
        (key) => ({ ...key, createdAt: key.createdAt.toISOString() }),
        (last) => ({ createdAt: last.createdAt.toISOString(), id: last.id }),
      );
    },
  );

  api.delete(
    "/api/api-keys/:id",
    {
      onRequest: admin,
      schema: operation({
        operationId: "deleteApiKey",
        tags,
        summary: "Revoke an API key: requests with it are refused from now on (admin)",
        access: "admin",
        params: idParams,
        responses: { 204: "empty" },
        errors: { 404: "No such API key" },
      }),
    },
    async (request, reply) => {
      if (!(await deleteApiKey(db, request.params.id))) {
        throw HttpProblem.notFound(`No API key ${request.params.id}`);
      }
      request.log.info({ apiKeyId: request.params.id }, "API key revoked");
      return reply.code(204).send(null);
    },
  );
}
