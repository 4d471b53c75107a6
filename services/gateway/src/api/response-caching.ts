import { Readable } from "node:stream";
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
 * scope apply to every service's routes registered after them, so the gateway registers first; the
 * routes that forward to services in other processes are registered after them too.
 *
 * The look-up runs in `preParsing`, the step after every `onRequest` hook, the rate limit's
 * included: a cached answer is counted like any other (answering in `onRequest` once served hits to
 * clients the limit had already stopped). The URL it keys on is the normalised one the router sees.
 */
export function cacheCatalogReads(app: FastifyInstance, cache: ResponseCache): void {
  app.decorateRequest("cacheKey", undefined);

  app.addHook("preParsing", (request, reply, payload, done) => {
    if (!isCacheableRead(request.method, request.url, request.headers.authorization !== undefined)) {
      return done(null, payload);
    }
    request.cacheKey = request.url;
    const hit = cache.get(request.url);
    if (!hit) return done(null, payload);
    request.cacheKey = undefined;
    // Not calling `done` ends the request's hooks here: the cached answer is the response.
    reply.header("x-cache", "hit").type(hit.contentType).send(hit.body);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.cacheKey === undefined) return payload;
    reply.header("x-cache", "miss");
    if (reply.statusCode !== 200) return payload;
    const body = await storableBody(payload);
    if (body === undefined) return payload;
    const response: CachedResponse = {
      body,
      contentType: String(reply.getHeader("content-type") ?? "application/json; charset=utf-8"),
    };
    cache.set(request.cacheKey, response);
    return body;
  });
}

/**
 * A local route's answer arrives serialized; a forwarded one as the service's response stream,
 * read here in full (catalog reads are small JSON documents) so that it can be kept and sent.
 */
async function storableBody(payload: unknown): Promise<string | Buffer | undefined> {
  if (typeof payload === "string" || Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Readable) return Buffer.concat(await payload.toArray());
  return undefined;
}
