import type { FastifyInstance } from "fastify";
import { type CachedResponse, isCacheableRead, type ResponseCache } from "../domain/response-cache.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the answer to this request may be stored in the response cache. */
    cacheKey: string | undefined;
  }
}

/**
 * Serves anonymous catalog reads from the cache and stores fresh 200 answers. Hooks on the shared
 * scope apply to every service's routes registered after them, so the gateway registers first.
 */
export function cacheCatalogReads(app: FastifyInstance, cache: ResponseCache): void {
  app.decorateRequest("cacheKey", undefined);

  app.addHook("onRequest", async (request, reply) => {
    if (!isCacheableRead(request.method, request.url, request.headers.authorization !== undefined)) return;
    request.cacheKey = request.url;
    const hit = cache.get(request.url);
    if (!hit) return;
    request.cacheKey = undefined;
    return reply.header("x-cache", "hit").type(hit.contentType).send(hit.body);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.cacheKey === undefined) return payload;
    reply.header("x-cache", "miss");
    if (reply.statusCode === 200 && typeof payload === "string") {
      const response: CachedResponse = {
        body: payload,
        contentType: String(reply.getHeader("content-type") ?? "application/json; charset=utf-8"),
      };
      cache.set(request.cacheKey, response);
    }
    return payload;
  });
}
