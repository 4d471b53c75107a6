import rateLimit from "@fastify/rate-limit";
import { HttpProblem } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";

export interface RateLimitSettings {
  /** Requests a client may make per window. */
  max: number;
  windowMs: number;
  /** Shared counters for every gateway process; in memory (per process) when absent. */
  redisUrl: string | undefined;
}

/**
 * Limits each client (by address) to `max` requests a window across the API. Answers 429
 * problem+json with Retry-After. Health, metrics and docs are not limited.
 */
export async function limitRequestRates(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<() => Promise<void>> {
  const redis = settings.redisUrl
    ? new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
    : undefined;
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: settings.windowMs,
    ...(redis ? { redis, nameSpace: "mercato-rate-limit:" } : {}),
    skipOnError: true,
    allowList: (request) => !request.url.startsWith("/api/"),
    errorResponseBuilder: (_request, context) =>
      HttpProblem.tooManyRequests(
        `Too many requests: at most ${context.max} per ${context.after}; try again in ${Math.ceil(context.ttl / 1000)} s`,
        Math.max(1, Math.ceil(context.ttl / 1000)),
      ),
  });
  return async () => {
    redis?.disconnect();
  };
}
