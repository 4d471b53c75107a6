import type { FastifyInstance } from "fastify";
import { HttpProblem } from "./problem.ts";
import { baselineSecurityHeaders } from "./security-headers.ts";

/**
 * Requests that arrive on an open connection once the server has begun to close answer 503 with
 * Retry-After, as Fastify's own `return503OnClosing` does, but as a problem document, and ask the
 * client to reconnect (elsewhere, behind a load balancer) by closing the connection.
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!closing) return;
    // Thrown before Helmet's own hook runs, so the headers it would have set come along here.
    reply.headers(baselineSecurityHeaders).header("connection", "close");
    throw HttpProblem.unavailable("The server is shutting down; send the request again", 1);
  });
}
