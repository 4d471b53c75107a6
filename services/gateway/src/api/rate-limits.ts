import rateLimit, {
  type FastifyRateLimitOptions,
  type FastifyRateLimitStore,
  type RateLimitOptions,
} from "@fastify/rate-limit";
import LocalStore from "@fastify/rate-limit/store/LocalStore.js";
import RedisStore from "@fastify/rate-limit/store/RedisStore.js";
import { HttpProblem } from "@mercato/platform";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
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
    ? new Redis(settings.redisUrl, {
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        // While Redis is away a count must not wait for it: see RedisOrProcessStore.
        enableOfflineQueue: false,
        commandTimeout: 1000,
        lazyConnect: false,
      })
    : undefined;
  if (redis) await connected(redis, redisStartWaitMs);
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: settings.windowMs,
    ...(redis ? { store: redisOrProcessStore(redis, app.log) } : {}),
    // Only a store that fails outright gets here; the request is then let through.
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

const redisNameSpace = "mercato-rate-limit:";

/**
 * How long the gateway's start waits for Redis: counting the first requests in the process while
 * Redis is still connecting would let a client past the shared limit. A Redis that is down does
 * not stop the start; it is used once it answers.
 */
const redisStartWaitMs = 2_000;

function connected(redis: Redis, waitMs: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    redis.once("ready", done);
  });
}

/**
 * Counts in Redis, shared by every gateway process, while Redis answers; while it does not, counts
 * in this process, so that the gateway keeps serving and keeps limiting (each process to the limit
 * on its own) until Redis is back, when the shared counts take over again.
 */
function redisOrProcessStore(redis: Redis, log: FastifyBaseLogger) {
  let away = false;
  redis.on("error", (error) => {
    if (away) return;
    away = true;
    log.warn(
      { err: error },
      "Redis is unreachable: rate limits are counted in this process until it is back",
    );
  });
  redis.on("ready", () => {
    if (!away) return;
    away = false;
    log.info("Redis is back: rate limits are counted in Redis again");
  });
  return class RedisOrProcessStore implements FastifyRateLimitStore {
    private readonly shared: FastifyRateLimitStore;
    private readonly local: FastifyRateLimitStore;

    constructor(
      // The plugin hands its merged settings, which carry these two, though its types do not say so.
      options: FastifyRateLimitOptions & Pick<RateLimitOptions, "continueExceeding" | "exponentialBackoff">,
      stores?: { shared: FastifyRateLimitStore; local: FastifyRateLimitStore },
    ) {
      this.shared =
        stores?.shared ??
        new RedisStore(options.continueExceeding, options.exponentialBackoff, redis, redisNameSpace);
      this.local = stores?.local ?? new LocalStore(options.continueExceeding, options.exponentialBackoff);
    }

    incr(...[key, callback, timeWindow, max]: Parameters<FastifyRateLimitStore["incr"]>): void {
      if (redis.status !== "ready") {
        this.local.incr(key, callback, timeWindow, max);
        return;
      }
      this.shared.incr(
        key,
        (error, result) => (error ? this.local.incr(key, callback, timeWindow, max) : callback(null, result)),
        timeWindow,
        max,
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore["child"]>[0]): FastifyRateLimitStore {
      return new RedisOrProcessStore(routeOptions, {
        shared: this.shared.child(routeOptions),
        local: this.local.child(routeOptions),
      });
    }
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
