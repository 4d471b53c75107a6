import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createMetrics } from "../metrics/registry.ts";
import { decodeCursor, encodeCursor, listQuerySchema, listResponseSchema } from "./list.ts";
import type { ReadinessReport } from "./operational-routes.ts";
import { HttpProblem, problemResponse } from "./problem.ts";
import { createHttpServer, type HttpServer } from "./server.ts";

const problemJson = "application/problem+json";
const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const testRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/orders/:orderId/items",
    {
      schema: {
        params: z.object({ orderId: z.uuid() }),
        querystring: z.object({ dryRun: z.enum(["true", "false"]).optional() }),
        body: z.object({
          productId: z.string().min(1),
          quantity: z.number().int().min(1).max(99),
          gift: z.object({ message: z.string().max(10) }).optional(),
        }),
        response: {
          201: z.object({ orderId: z.string(), productId: z.string(), quantity: z.number() }),
          422: problemResponse("The order no longer takes items"),
        },
      },
    },
    async (request, reply) => {
      if (request.body.productId === "closed") throw HttpProblem.unprocessable("The order is already placed");
      return reply.code(201).send({ orderId: request.params.orderId, ...request.body });
    },
  );

  const products = Array.from({ length: 45 }, (_, index) => ({ id: `p${String(index).padStart(2, "0")}` }));
  app.get(
    "/products",
    {
      schema: {
        querystring: listQuerySchema,
        response: { 200: listResponseSchema(z.object({ id: z.string() })) },
      },
    },
    async (request) => {
      const after = request.query.cursor
        ? decodeCursor(request.query.cursor, z.object({ after: z.string() })).after
        : "";
      const items = products.filter((product) => product.id > after).slice(0, request.query.limit);
      const last = items.at(-1);
      const more = last !== undefined && products.some((product) => product.id > last.id);
      return { items, nextCursor: more && last ? encodeCursor({ after: last.id }) : null };
    },
  );

  app.get("/problems/:kind", { schema: { params: z.object({ kind: z.string() }) } }, async (request) => {
    switch (request.params.kind) {
      case "not-found":
        throw HttpProblem.notFound("Order 42 does not exist");
      case "conflict":
        throw HttpProblem.conflict("The email is taken");
      case "unauthorized":
        throw HttpProblem.unauthorized("The token has expired");
      case "forbidden":
        throw HttpProblem.forbidden("Admins only");
      case "rate-limited":
        throw HttpProblem.tooManyRequests("Slow down", 2.5);
      case "unavailable":
        throw HttpProblem.unavailable("The catalog is down", 10);
      case "custom":
        throw new HttpProblem(409, "email-taken", "ann@example.com is registered", [
          { path: "body.email", message: "is taken" },
        ]);
      default:
        return { kind: request.params.kind };
    }
  });

  app.get("/boom", async () => {
    throw new Error("connection to postgres://admin:hunter2@db failed");
  });

  app.get("/client-status-error", async () => {
    throw Object.assign(new Error("upstream said 404 for /internal/secret"), { statusCode: 404 });
  });

  app.get(
    "/wrong-response",
    { schema: { response: { 200: z.object({ id: z.string() }) } } },
    async () => ({ id: 42 }) as unknown as { id: string },
  );

  app.get("/whoami", async (request) => ({ requestId: request.id, correlationId: request.correlationId }));
};

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capturingLogger(level: string) {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const servers: HttpServer[] = [];

async function serve(
  options: { bodyLimitBytes?: number; ready?: () => Promise<ReadinessReport>; logLevel?: string } = {},
): Promise<{ app: HttpServer; lines: LogLine[] }> {
  const { logLevel = "info", ...serverOptions } = options;
  const { logger, lines } = capturingLogger(logLevel);
  const app = createHttpServer({
    logger,
    metrics: createMetrics(),
    title: "Test API",
    version: "9.9.9",
    ...serverOptions,
  });
  app.register(testRoutes);
  servers.push(app);
  await app.ready();
  return { app, lines };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

const orderId = "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e80";

describe("problem responses", () => {
  it("lists every field problem of a failed validation, across body, params and query", async () => {
    const { app } = await serve();
    const response = await app.inject({
      method: "POST",
      url: "/orders/not-a-uuid/items?dryRun=maybe",
      payload: { quantity: 0, gift: { message: "far too long a message" } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(problemJson);
    const body = response.json();
    expect(body).toEqual({
      type: "https://mercato.dev/problems/validation",
      title: "Invalid request",
      status: 400,
      detail: "The request is invalid: 5 problems, listed in errors",
      errors: expect.any(Array),
    });
    expect(body.errors.map((error: { path: string }) => error.path)).toEqual([
      "params.orderId",
      "body.productId",
      "body.quantity",
      "body.gift.message",
      "query.dryRun",
    ]);
    for (const error of body.errors) expect(error.message).toEqual(expect.any(String));
  });

  it("names a missing body as the body itself", async () => {
    const { app } = await serve();
    const response = await app.inject({ method: "POST", url: `/orders/${orderId}/items` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { path: "body", message: expect.stringContaining("expected object") },
    ]);
  });

  it("accepts a valid request", async () => {
    const { app } = await serve();
    const response = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      payload: { productId: "p1", quantity: 2 },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ orderId, productId: "p1", quantity: 2 });
  });

  it("answers malformed JSON with a 400 naming the parse problem", async () => {
    const { app } = await serve();
    const response = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      headers: { "content-type": "application/json" },
      payload: '{"productId": "p1", "quantity": }',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(problemJson);
    const body = response.json();
    expect(body).toMatchObject({ type: "https://mercato.dev/problems/malformed-json", status: 400 });
    expect(body.detail).toMatch(/^The body is not valid JSON: .*Unexpected token/);
    expect(body.errors).toBeUndefined();
  });

  it("answers an empty JSON body and a prototype-poisoning body with malformed-json", async () => {
    const { app } = await serve();
    const empty = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      headers: { "content-type": "application/json" },
      payload: "",
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toBe("The body is empty but its Content-Type is application/json");

    const poisoned = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      headers: { "content-type": "application/json" },
      payload: '{"productId": "p1", "quantity": 1, "__proto__": {"admin": true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json()).toMatchObject({
      type: "https://mercato.dev/problems/malformed-json",
      detail: expect.stringContaining("forbidden property name"),
    });
  });

  it("answers a wrong or missing content type on a body with 415", async () => {
    const { app } = await serve();
    const wrong = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      headers: { "content-type": "text/plain" },
      payload: "productId=p1",
    });
    expect(wrong.statusCode).toBe(415);
    expect(wrong.headers["content-type"]).toBe(problemJson);
    expect(wrong.json()).toEqual({
      type: "https://mercato.dev/problems/unsupported-media-type",
      title: "Unsupported media type",
      status: 415,
      detail: 'Content-Type "text/plain" is not accepted here; send application/json',
    });

    const missing = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      headers: { "content-length": "12" },
      payload: Buffer.from('{"a":"bcde"}'),
    });
    expect(missing.statusCode).toBe(415);
    expect(missing.json().detail).toBe("The request has a body but no Content-Type; send application/json");
  });

  it("answers a body over the limit with 413", async () => {
    const { app } = await serve({ bodyLimitBytes: 1024 });
    const response = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      payload: { productId: "x".repeat(2000), quantity: 1 },
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers["content-type"]).toBe(problemJson);
    expect(response.json()).toEqual({
      type: "https://mercato.dev/problems/payload-too-large",
      title: "Payload too large",
      status: 413,
      detail: "The request body is larger than the limit of 1024 bytes",
    });
  });

  it("answers an unknown route with 404 and a known path under another method with 405", async () => {
    const { app } = await serve();
    const unknown = await app.inject({ method: "GET", url: "/nowhere?x=1" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers["content-type"]).toBe(problemJson);
    expect(unknown.json()).toEqual({
      type: "https://mercato.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: "No route for GET /nowhere",
    });

    const wrongMethod = await app.inject({ method: "DELETE", url: "/products?limit=3" });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe("GET, HEAD");
    expect(wrongMethod.json()).toEqual({
      type: "https://mercato.dev/problems/method-not-allowed",
      title: "Method not allowed",
      status: 405,
      detail: "DELETE is not allowed on /products; allowed: GET, HEAD",
    });

    const parametric = await app.inject({ method: "GET", url: `/orders/${orderId}/items` });
    expect(parametric.statusCode).toBe(405);
    expect(parametric.headers.allow).toBe("POST");
  });

  it("answers thrown HttpProblems as they are, with their headers", async () => {
    const { app } = await serve();
    const cases: [string, number, string, string][] = [
      ["not-found", 404, "not-found", "Not found"],
      ["conflict", 409, "conflict", "Conflict"],
      ["unauthorized", 401, "unauthorized", "Unauthorized"],
      ["forbidden", 403, "forbidden", "Forbidden"],
      ["rate-limited", 429, "rate-limited", "Too many requests"],
      ["unavailable", 503, "unavailable", "Service unavailable"],
    ];
    for (const [kind, status, slug, title] of cases) {
      const response = await app.inject({ method: "GET", url: `/problems/${kind}` });
      expect(response.statusCode).toBe(status);
      expect(response.headers["content-type"]).toBe(problemJson);
      expect(response.json()).toEqual({
        type: `https://mercato.dev/problems/${slug}`,
        title,
        status,
        detail: expect.any(String),
      });
    }
    expect((await app.inject({ url: "/problems/rate-limited" })).headers["retry-after"]).toBe("3");
    expect((await app.inject({ url: "/problems/unavailable" })).headers["retry-after"]).toBe("10");
    expect((await app.inject({ url: "/problems/unauthorized" })).headers["www-authenticate"]).toBe("Bearer");

    const custom = await app.inject({ url: "/problems/custom" });
    expect(custom.statusCode).toBe(409);
    expect(custom.json()).toEqual({
      type: "https://mercato.dev/problems/email-taken",
      title: "Conflict",
      status: 409,
      detail: "ann@example.com is registered",
      errors: [{ path: "body.email", message: "is taken" }],
    });

    const unprocessable = await app.inject({
      method: "POST",
      url: `/orders/${orderId}/items`,
      payload: { productId: "closed", quantity: 1 },
    });
    expect(unprocessable.statusCode).toBe(422);
    expect(unprocessable.json()).toMatchObject({ type: "https://mercato.dev/problems/unprocessable" });
  });

  it("answers unexpected errors with a generic 500 and logs the real one", async () => {
    const { app, lines } = await serve();
    for (const url of ["/boom", "/client-status-error", "/wrong-response"]) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(500);
      expect(response.headers["content-type"]).toBe(problemJson);
      expect(response.json()).toEqual({
        type: "https://mercato.dev/problems/internal",
        title: "Internal server error",
        status: 500,
        detail: "The server failed to handle the request; the error has been logged",
      });
      expect(response.body).not.toMatch(/hunter2|secret|postgres/);
    }
    const logged = lines.find((line) => line.msg === "request failed");
    expect(logged).toMatchObject({ level: 50, err: { message: expect.stringContaining("hunter2") } });
  });

  it("answers a URL Fastify cannot decode with a 400 problem", async () => {
    const { app } = await serve();
    const response = await app.inject({ url: "/problems/%E0%A4%A" });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(problemJson);
    expect(response.headers["x-request-id"]).toMatch(uuidV7);
    expect(response.json()).toMatchObject({ type: "https://mercato.dev/problems/bad-request", status: 400 });
  });
});

describe("request ids", () => {
  it("echoes a sane x-request-id and uses it as the correlation id by default", async () => {
    const { app } = await serve();
    const response = await app.inject({ url: "/whoami", headers: { "x-request-id": "req-42.a:b_c" } });
    expect(response.headers["x-request-id"]).toBe("req-42.a:b_c");
    expect(response.json()).toEqual({ requestId: "req-42.a:b_c", correlationId: "req-42.a:b_c" });
  });

  it("generates a UUIDv7 when the client sent none or an unsafe one", async () => {
    const { app } = await serve();
    for (const headers of [
      {},
      { "x-request-id": "has spaces" },
      { "x-request-id": "a".repeat(129) },
      { "x-request-id": "evil\u00e9" },
    ]) {
      const response = await app.inject({ url: "/whoami", headers });
      expect(response.headers["x-request-id"]).toMatch(uuidV7);
      expect(response.json().requestId).toBe(response.headers["x-request-id"]);
    }
    expect(
      (await app.inject({ url: "/whoami", headers: { "x-request-id": "a".repeat(128) } })).headers[
        "x-request-id"
      ],
    ).toBe("a".repeat(128));
  });

  it("puts x-request-id on error responses too", async () => {
    const { app } = await serve();
    for (const response of [
      await app.inject({ url: "/nowhere", headers: { "x-request-id": "r1" } }),
      await app.inject({ url: "/boom", headers: { "x-request-id": "r2" } }),
      await app.inject({
        method: "POST",
        url: "/orders/x/items",
        payload: {},
        headers: { "x-request-id": "r3" },
      }),
    ]) {
      expect(response.headers["x-request-id"]).toMatch(/^r[123]$/);
    }
  });

  it("takes the correlation id from x-correlation-id and logs both ids", async () => {
    const { app, lines } = await serve({ logLevel: "debug" });
    const response = await app.inject({
      url: "/whoami",
      headers: { "x-request-id": "req-1", "x-correlation-id": "checkout-7" },
    });
    expect(response.json()).toEqual({ requestId: "req-1", correlationId: "checkout-7" });
    expect(lines.find((line) => line.msg === "request completed")).toMatchObject({
      requestId: "req-1",
      correlationId: "checkout-7",
    });
  });
});

describe("request logging", () => {
  it("writes one line per request with method, route, status and duration, never headers", async () => {
    const { app, lines } = await serve({ logLevel: "debug" });
    await app.inject({
      url: "/problems/fine?token=abc",
      headers: { authorization: "Bearer very-secret-token", cookie: "session=also-secret" },
    });
    expect(lines).toEqual([
      {
        level: 20,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        requestId: expect.stringMatching(uuidV7),
        correlationId: expect.stringMatching(uuidV7),
        msg: "request completed",
        method: "GET",
        route: "/problems/:kind",
        path: "/problems/fine",
        statusCode: 200,
        durationMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/very-secret-token|also-secret|token=abc/);
  });

  it("logs successful requests at debug and failed ones at info", async () => {
    const { app, lines } = await serve({ logLevel: "info" });
    await app.inject({ url: "/problems/fine" });
    expect(lines).toEqual([]);
    await app.inject({ url: "/problems/conflict" });
    await app.inject({ url: "/nowhere" });
    expect(lines.map((line) => [line.level, line.route, line.statusCode])).toEqual([
      [30, "/problems/:kind", 409],
      [30, "unmatched", 404],
    ]);
  });
});

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document with the registered routes and their schemas", async () => {
    const { app } = await serve();
    const response = await app.inject({ url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toMatchObject({ title: "Test API", version: "9.9.9" });

    const operation = document.paths["/orders/{orderId}/items"].post;
    expect(operation.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "path", name: "orderId", required: true }),
        expect.objectContaining({ in: "query", name: "dryRun" }),
      ]),
    );
    const bodySchema = operation.requestBody.content["application/json"].schema;
    expect(bodySchema.required).toEqual(["productId", "quantity"]);
    expect(bodySchema.properties.quantity).toMatchObject({ type: "integer", minimum: 1, maximum: 99 });
    expect(operation.responses["201"].content["application/json"].schema.properties).toHaveProperty(
      "orderId",
    );
    expect(operation.responses["422"].content["application/problem+json"].schema).toEqual({
      $ref: "#/components/schemas/Problem",
    });
    expect(document.components.schemas.Problem.required).toEqual(["type", "title", "status", "detail"]);

    expect(document.paths["/products"].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: "query", name: "limit" })]),
    );
    expect(document.paths).toHaveProperty(["/health/ready"]);
    expect(Object.keys(document.paths).some((path) => path.startsWith("/docs"))).toBe(false);
  });

  it("serves the docs UI as HTML at /docs", async () => {
    const { app } = await serve();
    const response = await app.inject({ url: "/docs" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.body).toContain("swagger-ui");
  });

  it("refuses a route declared outside a plugin, which the OpenAPI document would miss", () => {
    const app = createHttpServer({
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      title: "t",
      version: "1",
    });
    expect(() => app.get("/direct", async () => "x")).toThrow(/declare it inside app.register/);
  });
});

describe("health and metrics", () => {
  it("answers liveness and, without checks, readiness", async () => {
    const { app } = await serve();
    const live = await app.inject({ url: "/health/live" });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: "ok" });
    const ready = await app.inject({ url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", checks: {}, progress: {} });
  });

  it("answers readiness with the checks: 200 when they pass, 503 problem when one fails", async () => {
    let database = "ok";
    const { app } = await serve({
      ready: async () => ({
        ok: database === "ok",
        checks: { database, bus: "ok" },
        progress: { demoShop: "loading 3/220" },
      }),
    });
    const ready = await app.inject({ url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: "ok",
      checks: { database: "ok", bus: "ok" },
      progress: { demoShop: "loading 3/220" },
    });

    database = "connection refused";
    const notReady = await app.inject({ url: "/health/ready" });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers["content-type"]).toBe(problemJson);
    expect(notReady.json()).toEqual({
      type: "https://mercato.dev/problems/not-ready",
      title: "Not ready",
      status: 503,
      detail: "Failing checks: database",
      checks: { database: "connection refused", bus: "ok" },
    });
  });

  it("answers 503 when the readiness check itself throws", async () => {
    const { app, lines } = await serve({
      ready: async () => {
        throw new Error("pool exhausted");
      },
    });
    const response = await app.inject({ url: "/health/ready" });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toEqual({ ready: "the readiness check threw; see the server log" });
    expect(lines.find((line) => line.msg === "readiness check threw")).toMatchObject({
      err: { message: "pool exhausted" },
    });
  });

  it("exposes the request duration histogram by route pattern, unknown routes as unmatched", async () => {
    const { app } = await serve();
    await app.inject({ url: "/problems/fine" });
    await app.inject({ url: "/problems/not-found" });
    await app.inject({ url: "/no/such/page" });
    const response = await app.inject({ url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain("# TYPE mercato_http_request_duration_seconds histogram");
    expect(response.body).toMatch(
      /mercato_http_request_duration_seconds_count\{method="GET",route="\/problems\/:kind",status_code="200"\} 1\n/,
    );
    expect(response.body).toMatch(
      /mercato_http_request_duration_seconds_count\{method="GET",route="\/problems\/:kind",status_code="404"\} 1\n/,
    );
    expect(response.body).toMatch(
      /mercato_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1\n/,
    );
    expect(response.body).toContain("mercato_process_resident_memory_bytes");
  });
});

describe("lists", () => {
  it("pages through a list with limit and opaque cursors", async () => {
    const { app } = await serve();
    const first = await app.inject({ url: "/products" });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));

    const seen = [...page.items];
    let cursor: string | null = page.nextCursor;
    while (cursor !== null) {
      const next = (await app.inject({ url: "/products", query: { limit: "20", cursor } })).json();
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen.map((item) => item.id)).size).toBe(45);
  });

  it("refuses a limit out of range and a cursor it did not hand out", async () => {
    const { app } = await serve();
    for (const limit of ["0", "101", "ten"]) {
      const response = await app.inject({ url: "/products", query: { limit } });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([{ path: "query.limit", message: expect.any(String) }]);
    }
    for (const cursor of ["!!!", Buffer.from("not json").toString("base64url"), encodeCursor({ page: 2 })]) {
      const response = await app.inject({ url: "/products", query: { cursor } });
      expect(response.statusCode).toBe(400);
      expect(response.headers["content-type"]).toBe(problemJson);
      expect(response.json()).toEqual({
        type: "https://mercato.dev/problems/invalid-cursor",
        title: "Invalid cursor",
        status: 400,
        detail: "The cursor is not one this list handed out; start again without it",
        errors: [{ path: "query.cursor", message: expect.any(String) }],
      });
    }
  });
});
