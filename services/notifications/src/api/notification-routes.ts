import {
  currentUser,
  decodeCursor,
  encodeCursor,
  HttpProblem,
  operation,
  requireUser,
  type ServiceContext,
} from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { NotificationsResources } from "../resources.ts";
import type { NotificationsSettings } from "../settings.ts";
import { countUnread, listNotifications, markAllRead, markRead } from "../store/notifications.ts";
import type { NotificationsTables } from "../store/tables.ts";
import {
  notificationBody,
  notificationCursorSchema,
  notificationListQuerySchema,
  notificationPageSchema,
  notificationParamsSchema,
} from "./notification-schemas.ts";

const tags = ["notifications"];
const notFound = "No such notification, or not yours";

export type NotificationsContext = ServiceContext<
  NotificationsTables,
  NotificationsSettings,
  NotificationsResources
>;

/** The notification half of api.md's "Notifications and watches": the signed-in user's inbox. */
export function registerNotificationRoutes(app: FastifyInstance, context: NotificationsContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;
  // Checked before anything is read: strangers learn nothing from 400s.
  const signedIn = requireUser();

  api.get(
    "/api/notifications",
    {
      onRequest: signedIn,
      schema: operation({
        operationId: "listNotifications",
        tags,
        summary: "The signed-in user's notifications, newest first, with the unread count",
        access: "user",
        querystring: notificationListQuerySchema,
        responses: { 200: { description: "A page of notifications", schema: notificationPageSchema } },
      }),
    },
    async (request) => {
      const user = currentUser(request);
      const { unread, limit, cursor } = request.query;
      const before = cursor ? decodeCursor(cursor, notificationCursorSchema).seq : undefined;
      const [page, unreadCount] = await Promise.all([
        listNotifications(db, { userId: user.id, unreadOnly: unread, limit, beforeSeq: before }),
        countUnread(db, user.id),
      ]);
      const last = page.items.at(-1);
      return {
        items: page.items.map(notificationBody),
        unreadCount,
        nextCursor: page.more && last ? encodeCursor({ seq: last.seq }) : null,
      };
    },
  );

  api.post(
    "/api/notifications/:id/read",
    {
      onRequest: signedIn,
      schema: operation({
        operationId: "markNotificationRead",
        tags,
        summary: "Mark one notification read (again: no change)",
        access: "user",
        params: notificationParamsSchema,
        responses: { 204: "empty" },
        errors: { 404: notFound },
      }),
    },
    async (request, reply) => {
      if (!(await markRead(db, currentUser(request).id, request.params.id))) {
        throw HttpProblem.notFound(notFound);
      }
      return reply.code(204).send(null);
    },
  );

  api.post(
    "/api/notifications/read-all",
    {
      onRequest: signedIn,
      schema: operation({
        operationId: "markAllNotificationsRead",
        tags,
        summary: "Mark every notification of the signed-in user read",
        access: "user",
        responses: { 204: "empty" },
      }),
    },
    async (request, reply) => {
      await markAllRead(db, currentUser(request).id);
      return reply.code(204).send(null);
    },
  );
}
