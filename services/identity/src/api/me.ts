import { currentUser, HttpProblem, operation, requireUser, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { IdentityTables } from "../store/tables.ts";
import { findUserById } from "../store/users.ts";
import { userSchema } from "./schemas.ts";

export function registerMeRoutes(app: FastifyInstance, { db }: ServiceContext<IdentityTables>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/me",
    {
      preHandler: requireUser(),
      schema: operation({
        operationId: "getMe",
        tags: ["accounts"],
        summary: "The signed-in user, as stored now",
        access: "user",
        responses: { 200: { description: "The user", schema: userSchema } },
        errors: { 404: "The account no longer exists" },
      }),
    },
    async (request) => {
      const user = await findUserById(db, currentUser(request).id);
      if (!user) throw HttpProblem.notFound("The signed-in account no longer exists");
      return { id: user.id, email: user.email, name: user.name, roles: user.roles };
    },
  );
}
