import { once } from "node:events";
import { connect } from "node:net";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { silentLogger } from "../log.ts";
import { createMetrics } from "../metrics/registry.ts";
import { createHttpServer, type HttpServer } from "./server.ts";

const problemJson = "application/problem+json";

/** Lets the slow route answer; undefined until a request waits in it. */
let releaseSlow: (() => void) | undefined;

function release(): void {
  releaseSlow?.();
}

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/api/people/:id",
    {
      schema: {
        params: z.object({ id: z.string() }),
        querystring: z.object({ q: z.string().optional() }),
        body: z.object({
          name: z.string(),
          notes: z.string().optional(),
          tags: z.record(z.string(), z.string()),
        }),
      },
    },
    async (request) => ({ url: request.url, name: request.body.name }),
  );
  app.get("/api/things", async (request) => ({ url: request.url }));
  app.get("/api/slow", async () => {
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    return { slow: true };
  });
  app.post("/api/anything", async (request) => ({ received: request.body !== undefined }));
};

const servers: HttpServer[] = [];

async function serve(): Promise<HttpServer> {
  const app = createHttpServer({
    logger: silentLogger(),
    metrics: createMetrics(),
    title: "t",
    version: "0",
  });
  app.register(routes);
  servers.push(app);
  await app.ready();
  return app;
}

async function listening(): Promise<{ app: HttpServer; port: number }> {
  const app = await serve();
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  return { app, port: typeof address === "object" && address ? address.port : 0 };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Writes bytes as they are (no client library would send these) and reads until the server closes. */
async function rawExchange(port: number, request: string | Buffer): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "connect");
  socket.write(request);
  await once(socket, "close");
  return Buffer.concat(chunks).toString("utf8");
}

function parseRaw(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const headEnd = text.indexOf("\r\n\r\n");
  const [statusLine = "", ...headerLines] = text.slice(0, headEnd).split("\r\n");
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(text.slice(headEnd + 4)) };
}

describe("text the API refuses", () => {
  const valid = { name: "Ada", tags: {} };

  it("answers a query whose escapes spell no UTF-8 (a surrogate's bytes) with 400, before the route runs", async () => {
    const app = await serve();
    const response = await app.inject({ method: "GET", url: "/api/people/a?q=%ED%BF%BF" });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(problemJson);
    expect(response.json().errors).toEqual([
      { path: "query.q", message: "is not UTF-8: its percent-escapes spell no characters" },
    ]);
  });

  it("answers NUL, lone surrogates and control characters with 400 naming every field", async () => {
    const app = await serve();
    const response = await app.inject({
      method: "POST",
      url: "/api/people/a%00b?q=%00",
      payload: {
        name: "a\u0000b",
        notes: "Ada\ud800",
        tags: { "k\u0001": "fine", ok: "x\u001bq", pair: "\udc00" },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe(problemJson);
    expect(response.json()).toMatchObject({
      type: "https://mercato.dev/problems/validation",
      status: 400,
      detail: "The request is invalid: 7 problems, listed in errors",
    });
    const errors = response.json().errors as { path: string; message: string }[];
    expect(errors.map((error) => error.path)).toEqual([
      "params.id",
      "query.q",
      "body.name",
      "body.notes",
      "body.tags.k\\u0001",
      "body.tags.ok",
      "body.tags.pair",
    ]);
    expect(errors[0]?.message).toMatch(/control character NUL/);
    expect(errors[3]?.message).toMatch(/unpaired surrogate/);
    expect(errors[4]?.message).toMatch(/^the key contains the control character U\+0001/);
    expect(errors[5]?.message).toMatch(/U\+001B/);
  });

  it("takes tabs, line breaks and characters outside the BMP", async () => {
    const app = await serve();
    const response = await app.inject({
      method: "POST",
      url: "/api/people/%F0%9F%98%80?q=caf%C3%A9",
      payload: { ...valid, name: "Ada 😀", notes: "line one\r\nline\ttwo\n" },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe("Ada 😀");
  });

  it("refuses a body nested deeper than 32 levels before any route sees it", async () => {
    const app = await serve();
    for (const depth of [33, 10_000]) {
      const response = await app.inject({
        method: "POST",
        url: "/api/anything",
        headers: { "content-type": "application/json" },
        payload: `${"[".repeat(depth)}${"]".repeat(depth)}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers["content-type"]).toBe(problemJson);
      expect(response.json()).toMatchObject({
        type: "https://mercato.dev/problems/malformed-json",
        detail: "The body nests arrays and objects more than 32 levels deep",
      });
    }
    const deepEnough = await app.inject({
      method: "POST",
      url: "/api/anything",
      headers: { "content-type": "application/json" },
      payload: `${"[".repeat(32)}${"]".repeat(32)}`,
    });
    expect(deepEnough.statusCode).toBe(200);
  });
});

describe("paths", () => {
  it("decodes escaped unreserved characters before routing, so every layer sees one path", async () => {
    const app = await serve();
    const response = await app.inject({ url: "/%61%70%69/th%69ngs?x=%61" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ url: "/api/things?x=%61" });
  });
});

describe("answers the framework gives", () => {
  it("answers a request line and headers over the parser's limit with 431 problem+json", async () => {
    const { port } = await listening();
    const answer = parseRaw(
      await rawExchange(port, `GET /api/things?q=${"a".repeat(1024 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    expect(answer.status).toBe(431);
    expect(answer.headers["content-type"]).toBe(problemJson);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.body).toMatchObject({ status: 431, title: "Request Header Fields Too Large" });
  });

  it("answers a control byte in a header with 400 problem+json", async () => {
    const { port } = await listening();
    const answer = parseRaw(
      await rawExchange(port, "GET /api/things HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n"),
    );
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toBe(problemJson);
    expect(answer.body).toMatchObject({
      type: "https://mercato.dev/problems/bad-request",
      detail: expect.stringMatching(/^The request is not valid HTTP\/1\.1/),
    });
  });

  it("answers an Expect it cannot meet with 417 problem+json", async () => {
    const { port } = await listening();
    const answer = parseRaw(
      await rawExchange(
        port,
        "GET /api/things HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n",
      ),
    );
    expect(answer.status).toBe(417);
    expect(answer.headers["content-type"]).toBe(problemJson);
    expect(answer.body).toMatchObject({
      status: 417,
      type: "https://mercato.dev/problems/expectation-failed",
    });
  });

  it("answers a request that arrives while the server closes with 503 problem+json", async () => {
    const { app, port } = await listening();
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    await once(socket, "connect");
    // A request in flight keeps the connection open while the server closes.
    releaseSlow = undefined;
    socket.write("GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => releaseSlow).toBeTypeOf("function");
    const closed = app.close();
    await expect.poll(() => app.server.listening).toBe(false);
    socket.write("GET /api/things HTTP/1.1\r\nHost: x\r\n\r\n");
    release();
    await once(socket, "close");
    await closed;
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const answer = parseRaw(text.slice(text.indexOf("HTTP/1.1", 1)));
    expect(answer.status).toBe(503);
    expect(answer.headers["content-type"]).toBe(problemJson);
    expect(answer.headers["retry-after"]).toBe("1");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.body).toMatchObject({
      status: 503,
      detail: "The server is shutting down; send the request again",
    });
  });
});

describe("security headers", () => {
  it("come with every answer: success, problem, unknown route and undecodable URL", async () => {
    const app = await serve();
    for (const url of ["/api/things", "/api/people/x", "/nowhere", "/api/%zz"]) {
      const response = await app.inject({ url });
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["content-security-policy"], url).toMatch(/^default-src 'none'/);
    }
  });

  it("give the docs page a policy that lets it load its own scripts and styles", async () => {
    const app = await serve();
    const page = await app.inject({ url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(page.headers["content-security-policy"]).not.toContain("unsafe-eval");
    expect(page.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  });
});
