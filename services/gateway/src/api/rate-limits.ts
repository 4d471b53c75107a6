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
 * problem+json with Retry-After. Health, metrics, docs and the key set are not limited.
 *
 * Whether a request counts is decided by the route the router matched, never by the URL as sent:
 * a path spelled `/%61pi/auth/login` runs the login route, and once escaped a limit that looked at
 * the raw URL. (The server also normalises such paths before routing; see the platform's
 * url-path.ts.) Every request to a limited route counts, including those the response cache answers.
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
    allowList: (request) => !isLimitedRoute(request.routeOptions.url),
    errorResponseBuilder: (_request, context) => {
      const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000));
      return HttpProblem.tooManyRequests(
        `Too many requests: at most ${context.max} per ${describeWindow(settings.windowMs)} from one address; try again in ${retryAfter} s`,
        retryAfter,
      );
    },
  });
  return async () => {
    redis?.disconnect();
  };
}

/** Route patterns, as registered (`/api/products/:id`); unmatched requests have none. */
export function isLimitedRoute(pattern: string | undefined): boolean {
  return pattern?.startsWith("/api/") === true;
}

/** The window itself, not the time left in it, which the plugin's `after` holds. */
export function describeWindow(windowMs: number): string {
  if (windowMs === 60_000) return "minute";
  if (windowMs % 60_000 === 0) return `${windowMs / 60_000} minutes`;
  return `${Math.ceil(windowMs / 1000)} s`;
}
