import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { configureService, defineService, HttpProblem } from "@mercato/platform";
import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoutedService } from "../src/domain/routes-table.ts";
import { gatewayService } from "../src/index.ts";
import type { GatewaySettings } from "../src/settings.ts";

/**
 * Stands in for identity and catalog in a process of their own: it echoes what reached it, so the
 * tests can see what the gateway forwarded.
 */
function upstreamService() {
  const reads = { count: 0 };
  const service = defineService({
    name: "upstream",
    async routes(app) {
      app.get("/api/me", async (request) => ({
        authorization: request.headers.authorization ?? null,
        requestId: request.headers["x-request-id"] ?? null,
        forwardedFor: request.headers["x-forwarded-for"] ?? null,
      }));
      app.get("/api/products/slow", async () => {
        await sleep(1_500);
        return { slow: true };
      });
      app.get("/api/products/:id", async (request, reply) => {
        const { id } = request.params as { id: string };
        if (id === "missing") throw HttpProblem.notFound("No product missing");
        reads.count++;
        reply
          .header("x-served-by", "upstream")
          .header("cache-control", "max-age=5")
          .header("connection", "keep-alive, x-hop")
          .header("x-hop", "for the gateway only");
        return { id, reads: reads.count };
      });
      app.post("/api/products", async (request, reply) =>
        reply.code(201).header("location", "/api/products/p9").send({
          received: request.body,
          query: request.query,
        }),
      );
      await app.register(async (scope) => {
        scope.addContentTypeParser("image/png", { parseAs: "buffer" }, (_request, body, done) =>
          done(null, body),
        );
        scope.post("/api/products/:id/thumbnail", { bodyLimit: 64 * 1024 }, async () => ({ stored: true }));
        scope.post("/api/products/:id/images", { bodyLimit: 5 * 1024 * 1024 }, async (request, reply) => {
          const bytes = request.body as Buffer;
          return reply.code(201).send({
            bytes: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            contentType: request.headers["content-type"],
          });
        });
      });
    },
  });
  return { reads, service };
}

/** The address of a server that has stopped: nothing listens there any more. */
async function stoppedServerUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The gateway alone, verifying tokens with identity's keys as a deployed one does. */
function startGateway(settings: GatewaySettings): Promise<TestHost> {
  return startTestHost({ services: [configureService(gatewayService, { settings })], auth: "identity" });
}

async function call(host: { url: string }, url: string, init: RequestInit = {}) {
  const response = await fetch(new URL(url, host.url), init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === "" ? null : JSON.parse(text)) as Record<string, unknown>,
  };
}

describe("the gateway in front of services in other processes", () => {
  let upstream: TestHost;
  let gateway: TestHost;
  const shop = upstreamService();

  beforeAll(async () => {
    upstream = await startTestHost({ services: [shop.service], auth: "identity" });
    const serviceUrls = new Map<RoutedService, string[]>([
      ["identity", [upstream.url]],
      ["catalog", [upstream.url]],
      ["inventory", [await stoppedServerUrl()]],
    ]);
    gateway = await startGateway({
      requestsPerMinute: 10_000,
      cacheTtlMs: 60_000,
      serviceUrls,
      upstreamTimeoutMs: 500,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it("passes status, body and headers back as the service sent them", async () => {
    const created = await call(gateway, "/api/products?dryRun=1&tag=a&tag=b", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "SKU-1", price: { amount: 1250, currency: "EUR" } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/products/p9");
    expect(created.headers.get("content-type")).toMatch(/^application\/json/);
    expect(created.body).toEqual({
      received: { sku: "SKU-1", price: { amount: 1250, currency: "EUR" } },
      query: { dryRun: "1", tag: ["a", "b"] },
    });

    const missing = await call(gateway, "/api/products/missing");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect(missing.body.detail).toBe("No product missing");

    const read = await call(gateway, "/api/products/p1", { headers: { authorization: "Bearer x" } });
    expect(read.headers.get("x-served-by")).toBe("upstream");
    expect(read.headers.get("cache-control")).toBe("max-age=5");
    expect(read.headers.get("x-hop")).toBeNull();

    const head = await fetch(new URL("/api/products/p3", gateway.url), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-served-by")).toBe("upstream");
    expect(await head.text()).toBe("");
  });

  it("forwards Authorization and one request id through both processes", async () => {
    const echoed = await call(gateway, "/api/me", {
      headers: { authorization: "Bearer header.payload.signature", "x-request-id": "client-req-1" },
    });
    expect(echoed.status).toBe(200);
    expect(echoed.body).toEqual({
      authorization: "Bearer header.payload.signature",
      requestId: "client-req-1",
      forwardedFor: "127.0.0.1",
    });
    expect(echoed.headers.get("x-request-id")).toBe("client-req-1");

    const fresh = await call(gateway, "/api/me");
    expect(fresh.body.authorization).toBeNull();
    expect(fresh.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get("x-request-id")).toBe(fresh.body.requestId);
  });

  it("streams a binary body byte for byte, beyond the gateway's own 1 MiB limit", async () => {
    const image = randomBytes(3 * 1024 * 1024 + 17);
    const uploaded = await call(gateway, "/api/products/p1/images", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: image,
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({
      bytes: image.length,
      sha256: createHash("sha256").update(image).digest("hex"),
      contentType: "image/png",
    });

    const tooLarge = await call(gateway, "/api/products/p1/images", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: randomBytes(5 * 1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses bodies larger than the services take, and survives a service that drops one", async () => {
    const json = await call(gateway, "/api/products", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(1024 * 1024) }),
    });
    expect(json.status).toBe(413);
    expect(json.headers.get("content-type")).toBe("application/problem+json");
    expect(json.body.detail).toBe("The request body is larger than the limit of 1048576 bytes");

    // The service refuses early and closes the connection: whether its 413 arrives before the
    // gateway's write breaks is a race, and either answer is a problem naming what happened.
    for (let i = 0; i < 3; i++) {
      const dropped = await call(gateway, "/api/products/p1/thumbnail", {
        method: "POST",
        headers: { "content-type": "image/png" },
        body: randomBytes(2 * 1024 * 1024),
      });
      expect(dropped.headers.get("content-type")).toBe("application/problem+json");
      if (dropped.status === 503) {
        expect(dropped.body.detail).toBe("catalog is unavailable: it closed the connection before answering");
      } else {
        expect(dropped.status).toBe(413);
      }
    }
    expect((await call(gateway, "/api/products/p1")).status).toBe(200);
  });

  it("answers 404 problem+json for paths of services it was not told about", async () => {
    for (const url of ["/api/orders", "/api/cart/items", "/api/nothing-here"]) {
      const answer = await call(gateway, url);
      expect(answer.status).toBe(404);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.body.detail).toBe(`No route for GET ${url}`);
    }
    const climbing = await call(gateway, "/api/products/..%2F..%2Fadmin");
    expect(climbing.status).toBe(400);
    expect(climbing.headers.get("content-type")).toBe("application/problem+json");
    expect(climbing.body.detail).toMatch(/has "\.\." segments/);

    // Prefixes own whole segments: /api/categoriesx is not the catalog's.
    expect((await call(gateway, "/api/categoriesx")).status).toBe(404);
  });

  it("answers 503 problem+json naming the service when it is down or too slow", async () => {
    const down = await call(gateway, "/api/inventory/SKU-1", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ onHand: 3 }),
    });
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(down.headers.get("retry-after")).toBe("1");
    expect(down.body.detail).toBe("inventory is unavailable: it cannot be reached");

    const slow = await call(gateway, "/api/products/slow", { headers: { authorization: "Bearer x" } });
    expect(slow.status).toBe(503);
    expect(slow.headers.get("content-type")).toBe("application/problem+json");
    expect(slow.body.detail).toBe("catalog is unavailable: it did not answer within 0.5 s");
  });

  it("caches anonymous catalog reads in the gateway, not signed-in ones", async () => {
    const before = shop.reads.count;
    const first = await call(gateway, "/api/products/p2");
    const second = await call(gateway, "/api/products/p2");
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(first.headers.get("x-served-by")).toBe("upstream");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(second.headers.get("content-type")).toMatch(/^application\/json/);
    expect(second.body).toEqual(first.body);
    expect(shop.reads.count).toBe(before + 1);

    const signedIn = await call(gateway, "/api/products/p2", { headers: { authorization: "Bearer x" } });
    expect(signedIn.headers.get("x-cache")).toBeNull();
    expect(shop.reads.count).toBe(before + 2);
  });

  it("spreads a service's requests over its instances in turn", async () => {
    const second = upstreamService();
    const secondUpstream = await startTestHost({ services: [second.service], auth: "identity" });
    const spread = await startGateway({
      requestsPerMinute: 10_000,
      cacheTtlMs: 0,
      serviceUrls: new Map([["catalog", [upstream.url, secondUpstream.url]]]),
    });
    try {
      const firstReadsBefore = shop.reads.count;
      for (let i = 0; i < 6; i++) expect((await call(spread, `/api/products/rr${i}`)).status).toBe(200);
      expect(shop.reads.count - firstReadsBefore).toBe(3);
      expect(second.reads.count).toBe(3);
    } finally {
      await spread.close();
      await secondUpstream.close();
    }
  });

  it("applies the rate limit to forwarded requests", async () => {
    const limited = await startGateway({
      requestsPerMinute: 3,
      cacheTtlMs: 0,
      serviceUrls: new Map([["identity", [upstream.url]]]),
    });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(limited, "/api/me")).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await call(limited, "/api/me");
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(refused.body.detail).toMatch(
        /^Too many requests: at most 3 per minute from one address; try again in \d+ s$/,
      );
    } finally {
      await limited.close();
    }
  });
});
