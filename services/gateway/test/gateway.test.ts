import { ProductUpdated } from "@mercato/contracts";
import { configureService, defineService } from "@mercato/platform";
import {
  createTestAuthority,
  externalServices,
  requireServer,
  startTestHost,
  type TestHost,
} from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayService } from "../src/index.ts";

const hasRedis = await requireServer("redis");
const authority = await createTestAuthority();

/** A stand-in catalog that counts how often its routes really run. */
function countingCatalog() {
  const reads = { count: 0 };
  const service = defineService({
    name: "shelf",
    routes(app) {
      app.get("/api/products/:id", async (request) => {
        reads.count++;
        return { id: (request.params as { id: string }).id, reads: reads.count };
      });
      app.get("/api/products", async () => {
        reads.count++;
        return { items: [], nextCursor: null, reads: reads.count };
      });
      app.post("/api/products", async () => ({ created: true }));
    },
  });
  return { reads, service };
}

/** The gateway with these limits in front of a counting catalog, in one process. */
function startGateway(
  settings: { requestsPerMinute: number; cacheTtlMs: number },
  catalog = countingCatalog(),
  env: Record<string, string> = {},
): Promise<TestHost> {
  return startTestHost({
    services: [configureService(gatewayService, { settings }), catalog.service],
    auth: authority,
    env,
  });
}

async function get(host: { url: string }, url: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(url, host.url), { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("response cache", () => {
  let host: TestHost;
  const catalog = countingCatalog();

  beforeAll(async () => {
    host = await startGateway({ requestsPerMinute: 10_000, cacheTtlMs: 60_000 }, catalog);
  });
  afterAll(async () => {
    await host?.close();
  });

  it("answers repeated anonymous reads from the cache", async () => {
    const first = await get(host, "/api/products/p1");
    const second = await get(host, "/api/products/p1");
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("content-type")).toMatch(/^application\/json/);
    expect(second.headers.get("x-request-id")).toBeTruthy();
  });

  it("keys on the whole URL and never caches signed-in reads or writes", async () => {
    const before = catalog.reads.count;
    await get(host, "/api/products?q=lamp");
    await get(host, "/api/products?q=desk");
    expect(catalog.reads.count).toBe(before + 2);
    const token = await authority.token();
    const signedIn = await get(host, "/api/products/p1", { authorization: `Bearer ${token}` });
    expect(signedIn.headers.get("x-cache")).toBeNull();
    expect(catalog.reads.count).toBe(before + 3);
  });

  it("drops cached answers when a catalog event arrives", async () => {
    await get(host, "/api/products/p2");
    expect((await get(host, "/api/products/p2")).headers.get("x-cache")).toBe("hit");
    const changed = ProductUpdated.create(
      {
        productId: "p2",
        sku: "SKU-2",
        name: "Desk lamp",
        description: "",
        category: "Home",
        price: { amount: 2500, currency: "EUR" },
        attributes: {},
        images: [],
        inStock: true,
        changed: ["name"],
      },
      { correlationId: "test" },
    );
    await host.host.transport.publish([changed]);
    await expect.poll(async () => (await get(host, "/api/products/p2")).headers.get("x-cache")).toBe("miss");
  });
});

describe("rate limits", () => {
  it("answers 429 problem+json with Retry-After past the limit, per client", async () => {
    const host = await startGateway({ requestsPerMinute: 3, cacheTtlMs: 0 });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(host, "/api/products/p1")).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await get(host, "/api/products/p1");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("content-type")).toBe("application/problem+json");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.body.detail).toMatch(
        /^Too many requests: at most 3 per minute from one address; try again in \d+ s$/,
      );
      expect((await get(host, "/health/ready")).status).toBe(200);
    } finally {
      await host.close();
    }
  });

  it("counts a route however its path is spelled: escapes of unreserved characters do not escape the limit", async () => {
    const host = await startGateway({ requestsPerMinute: 3, cacheTtlMs: 0 });
    try {
      const spellings = [
        "/api/products/p1",
        "/%61pi/products/p1",
        "/%61%70%69/products",
        "/api/products/%701",
      ];
      const answers = [];
      for (const url of spellings) answers.push(await get(host, url));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((answer) => answer.headers.get("x-ratelimit-remaining"))).toEqual([
        "2",
        "1",
        "0",
        "0",
      ]);
      const posted = await fetch(new URL("/%61pi/products", host.url), { method: "POST" });
      expect(posted.status).toBe(429);
      expect(posted.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await host.close();
    }
  });

  it("counts answers served from the cache, and serves none once the client is limited", async () => {
    const catalog = countingCatalog();
    const host = await startGateway({ requestsPerMinute: 3, cacheTtlMs: 60_000 }, catalog);
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await get(host, "/api/products/p1"));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((answer) => answer.headers.get("x-cache"))).toEqual(["miss", "hit", "hit", null]);
      expect(answers[2]?.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(catalog.reads.count).toBe(1);
    } finally {
      await host.close();
    }
  });

  it.skipIf(!hasRedis)("shares counters between gateway processes through Redis", async () => {
    const redisUrl = externalServices.redis.url;
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    const stale = await redis.keys("mercato-rate-limit:*");
    if (stale.length > 0) await redis.del(...stale);
    redis.disconnect();
    const hosts = await Promise.all(
      [1, 2].map(() =>
        startGateway({ requestsPerMinute: 4, cacheTtlMs: 0 }, countingCatalog(), { REDIS_URL: redisUrl }),
      ),
    );
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await get(hosts[i % 2] as TestHost, "/api/products/p1")).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all(hosts.map((host) => host.close()));
    }
  });
});
