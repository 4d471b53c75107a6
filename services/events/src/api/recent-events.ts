import { eventEnvelopeSchema } from "@mercato/contracts";
import { operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { recentEvents } from "../store/event-log.ts";
import type { EventLogTables } from "../store/tables.ts";

const querySchema = z
  .object({
    source: z.string().min(1).max(256).optional(),
    detailType: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

/** `GET /api/ops/events` (api.md, "Operations"): recent events, newest first. */
export function registerRecentEvents(app: FastifyInstance, { db }: ServiceContext<EventLogTables>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/ops/events",
    {
      onRequest: requireUser("admin"),
      schema: operation({
        operationId: "listRecentEvents",
        tags: ["operations"],
        summary: "Recent events on the bus, newest first (admin)",
        access: "admin",
        querystring: querySchema,
        responses: {
          200: { description: "The events", schema: z.object({ items: z.array(eventEnvelopeSchema) }) },
        },
      }),
    },
    async (request) => ({ items: await recentEvents(db, request.query) }),
  );
}
