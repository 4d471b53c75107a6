import { requireServer } from "@mercato/platform/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DistributedPlatform,
  distributedStartGuardMs,
  startDistributedPlatform,
} from "../support/distributed-platform.ts";
import { freePort } from "../support/mercato-process.ts";
import { cleanUp, type OwnServer, ownServer, requireBinary, settleTimeoutMs } from "./chaos-shop.ts";

/**
 * Issue 13, third chaos case: the Redis server that holds the gateway's shared rate-limit counters
 * goes away. The gateway keeps serving, limiting each client with counters of its own process
 * meanwhile, and counts in Redis again once it is back.
 */
const redisServer = requireBinary("redis-server");
const available =
  redisServer !== undefined && (await requireServer("postgres")) && (await requireServer("nats"));

/** Low, so that a handful of requests reaches it; every request of this test comes from one address. */
const limit = 12;
const hangGuardMs = 240_000;

describe.skipIf(!available)("chaos: Redis stops under the gateway's rate limits", () => {
  let redisProcess: OwnServer;
  let platform: DistributedPlatform;

  beforeAll(async () => {
    const port = await freePort();
    redisProcess = await ownServer({
      name: "redis",
      binary: redisServer as string,
      scheme: "redis",
      port,
      args: (port, dir) => [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
    });
    platform = await startDistributedPlatform({
      name: "chaos-redis-outage",
      env: { REDIS_URL: redisProcess.url, MERCATO_RATE_LIMIT_PER_MINUTE: String(limit) },
    });
  }, distributedStartGuardMs);

  afterAll(async () => {
    await cleanUp(
      () => platform?.close(),
      () => redisProcess?.close(),
    );
  }, 60_000);

  const get = async (path: string) => {
    const response = await fetch(new URL(path, platform.url));
    await response.body?.cancel();
    return { status: response.status, remaining: Number(response.headers.get("x-ratelimit-remaining")) };
  };
  /** The counters the gateway keeps in Redis, by key. */
  const counters = async () => {
    const redis = new Redis(redisProcess.url);
    try {
      const keys = await redis.keys("mercato-rate-limit:*");
      return Object.fromEntries(
        await Promise.all(keys.map(async (key) => [key, Number(await redis.get(key))])),
      );
    } finally {
      redis.disconnect();
    }
  };

  it(
    "keeps serving while Redis is away, limiting in the process, and counts in Redis again when it is back",
    async () => {
      // Redis up: the count lives there.
      for (let i = 1; i <= 3; i++)
        expect(await get("/api/products")).toEqual({ status: 200, remaining: limit - i });
      expect(Object.values(await counters())).toEqual([3]);

      // Redis away: every request is still answered, and the limit still holds, counted in this
      // gateway process from the first request it could not count in Redis.
      await redisProcess.stop();
      const whileAway: number[] = [];
      for (let i = 0; i < limit + 2; i++) whileAway.push((await get("/api/products")).status);
      expect(whileAway.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(whileAway.slice(-2)).toEqual([429, 429]);
      expect(whileAway.filter((status) => status === 200).length).toBeLessThanOrEqual(limit);
      // Health and metrics are never limited, Redis or not.
      expect((await get("/health/ready")).status).toBe(200);

      // Redis back (empty: it keeps nothing on disk): the gateway counts there again, which lets
      // this client through, since the process's own count is no longer used.
      await redisProcess.start();
      await expect
        .poll(async () => (await get("/api/products")).status, { timeout: settleTimeoutMs, interval: 250 })
        .toBe(200);
      const [counted] = Object.values(await counters());
      expect(counted).toBeGreaterThanOrEqual(1);
      const next = await get("/api/products");
      expect(next).toEqual({ status: 200, remaining: limit - (counted as number) - 1 });
      expect(Object.values(await counters())).toEqual([(counted as number) + 1]);
      console.info(
        `Redis away: ${JSON.stringify(whileAway)}; back: counting in Redis from ${counted}, remaining ${next.remaining}`,
      );
    },
    hangGuardMs,
  );
});
