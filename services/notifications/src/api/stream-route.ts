import { currentUser, operation, requireUser } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { latestSeq, notificationsAfter, seqOf } from "../store/notifications.ts";
import type { NotificationsContext } from "./notification-routes.ts";
import { streamHeadersSchema, streamQuerySchema } from "./notification-schemas.ts";
import { NotificationStream } from "./notification-stream.ts";

const tags = ["notifications"];

/** Server-sent events: lines of text (the type provider sees any body, since a stream is sent). */
const eventStreamBody = z.any().meta({ type: "string" });

/**
 * `GET /api/notifications/stream`. Open streams end when the server begins to close, so that the
 * close does not wait for them and each client reconnects (with Last-Event-ID) wherever it can.
 */
export function registerNotificationStream(app: FastifyInstance, context: NotificationsContext): void {
  const { db, resources, settings, logger } = context;
  app.addHook("preClose", async () => resources.feed.closeAll());

  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/notifications/stream",
    {
      onRequest: requireUser(),
      schema: operation({
        operationId: "streamNotifications",
        tags,
        summary: "The signed-in user's new notifications, live (server-sent events)",
        description:
          "`text/event-stream`: each notification as `event: notification`, `id:` its id and `data:` its JSON. Send `Last-Event-ID` (EventSource does on reconnect) to get every notification after that one first. A `: keep-alive` comment line comes at least every 25 s.",
        access: "user",
        querystring: streamQuerySchema,
        headers: streamHeadersSchema,
        responses: {
          200: {
            description: "The event stream; it ends when the server shuts down",
            schema: eventStreamBody,
            mediaTypes: ["text/event-stream"],
          },
        },
      }),
    },
    async (request, reply) => {
      const userId = currentUser(request).id;
      const lastEventId = request.headers["last-event-id"];
      const resumed = lastEventId ? await seqOf(db, userId, lastEventId) : undefined;
      const stream = new NotificationStream({
        userId,
        // Without a known Last-Event-ID the stream starts with what comes next.
        afterSeq: resumed ?? (await latestSeq(db)),
        read: (afterSeq, limit) => notificationsAfter(db, userId, afterSeq, limit),
        keepAliveMs: settings.keepAliveMs,
        logger,
      });
      const unsubscribe = resources.feed.subscribe(stream);
      reply.raw.on("close", () => {
        unsubscribe();
        stream.close();
      });
      void stream.run();
      return reply
        .header("content-type", "text/event-stream; charset=utf-8")
        .header("cache-control", "no-cache, no-transform")
        .header("x-accel-buffering", "no")
        .send(stream.body);
    },
  );
}
