import { HttpProblem, operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { looksLikeApiKey } from "../domain/api-key-secrets.ts";
import { acceptedEntries, checkPutEventsRequest, putEventsAnswer } from "../domain/put-events-request.ts";
import { findKeyByBearer } from "../store/api-keys.ts";
import { publishEntries } from "../store/ingested-events.ts";
import type { EventsTables } from "../store/tables.ts";
import { putEventsRequestSchema, putEventsResultSchema } from "./put-events-schemas.ts";

/** `POST /api/events` (api.md, "Events in"): PutEvents over plain JSON, for an admin or an API key. */
export function registerPutEventsRoute(app: FastifyInstance, context: ServiceContext<EventsTables>): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/events",
    {
      onRequest: adminOrApiKey(context),
      schema: operation({
        operationId: "putEvents",
        tags: ["events"],
        summary: "Put events on the bus, as EventBridge's PutEvents (admin or API key)",
        description:
          "Also accepts `Authorization: Bearer <key>` with an API key's `key`. 1 to 10 entries, 256 KiB in all (EventBridge's count); each entry is checked on its own.",
        access: "admin",
        body: putEventsRequestSchema,
        responses: { 200: { description: "One result per entry", schema: putEventsResultSchema } },
        errors: { 413: "The body, or the entries' total size as EventBridge counts it, is over 256 KiB" },
      }),
    },
    async (request) => {
      const checked = checkPutEventsRequest(request.body, "rfc3339");
      if (checked.problem) {
        if (checked.problem.kind === "too-large") {
          throw new HttpProblem(413, "payload-too-large", checked.problem.message);
        }
        throw HttpProblem.badRequest(checked.problem.message);
      }
      const entries = acceptedEntries(checked.checks);
      const ids =
        entries.length === 0
          ? []
          : await context.inTransaction((writer) =>
              publishEntries(writer, entries, { correlationId: request.correlationId }),
            );
      return putEventsAnswer(checked.checks, ids);
    },
  );
}

/**
 * Lets through an admin's access token, or an API key that exists (a revoked one is gone): a
 * bearer credential shaped like a key is looked up, anything else is checked as a token.
 */
function adminOrApiKey(context: ServiceContext<EventsTables>) {
  const admin = requireUser("admin");
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const credential = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (credential === undefined || !looksLikeApiKey(credential)) return admin(request, reply);
    const key = await findKeyByBearer(context.db, context.secrets.sealedBox, credential);
    if (!key) throw HttpProblem.unauthorized("The API key is unknown or was revoked");
    request.log.debug({ apiKeyId: key.id }, "events put with an API key");
  };
}
