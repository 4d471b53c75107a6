import type { EventEnvelope } from "@mercato/contracts";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRequestTarget } from "../src/lambda/http-handler.ts";
import { httpApiEvent } from "./support/lambda-events.ts";
import { admin, type LambdaTestHost, startLambdaTestHost } from "./support/lambda-test-host.ts";

/** Events published on the function's bus, collected from a queue the test declares. */
const recorderQueue = "lambda-test-recorder";

describe("the Lambda HTTP handler (API Gateway HTTP API, payload format 2.0)", () => {
  let lambda: LambdaTestHost;
  let adminToken: string;

  beforeAll(async () => {
    lambda = await startLambdaTestHost(["gateway", "identity", "catalog"]);
    const { transport } = lambda.lambdaHost.host;
    await transport.declareQueue({
      name: recorderQueue,
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    await transport.putRule({
      name: recorderQueue,
      eventPattern: { source: ["mercato.catalog"] },
      queue: recorderQueue,
    });
  });

  afterAll(async () => {
    await lambda?.close();
  });

  const json = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body ?? "");

  it("answers a sign-in posted as JSON, and with the token creates a product (JSON body, base64-encoded)", async () => {
    const signIn = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/auth/login",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(admin),
      }),
    );
    expect(signIn.statusCode, signIn.body).toBe(200);
    expect(signIn.headers?.["content-type"]).toMatch(/^application\/json/);
    adminToken = json(signIn).accessToken;
    expect(adminToken).toEqual(expect.any(String));

    // API Gateway passes a body base64-encoded when it does not take it for text.
    const created = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/products",
        headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({
          sku: "LAMBDA-1",
          name: "Serverless headphones",
          description: "Made through a Lambda function.",
          category: "Audio",
          price: { amount: 4999, currency: "EUR" },
          attributes: { brand: "Acme" },
        }),
        base64: true,
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created)).toMatchObject({ sku: "LAMBDA-1", name: "Serverless headphones" });
  });

  it("publishes the events a request committed before the invocation returns", async () => {
    const catalog = lambda.lambdaHost.host.services.find((service) => service.definition.name === "catalog");
    expect(await catalog?.outboxBacklog()).toBe(0);
    const events: EventEnvelope[] = [];
    const subscription = await lambda.lambdaHost.host.transport.consume(recorderQueue, async (delivery) => {
      events.push(delivery.event);
    });
    try {
      await expect.poll(() => events.map((event) => event["detail-type"])).toContain("ProductCreated");
    } finally {
      await subscription.stop();
    }
    expect(events.find((event) => event["detail-type"] === "ProductCreated")?.detail).toMatchObject({
      sku: "LAMBDA-1",
    });
  });

  it("serves GET /api/products with its query string as the client sent it", async () => {
    const listed = await lambda.http(
      httpApiEvent({ method: "GET", target: "/api/products?q=headphones&limit=5" }),
    );
    expect(listed.statusCode, listed.body).toBe(200);
    expect(json(listed).items).toEqual([
      expect.objectContaining({
        sku: "LAMBDA-1",
        name: "Serverless headphones",
        price: { amount: 4999, currency: "EUR" },
      }),
    ]);

    const none = await lambda.http(httpApiEvent({ method: "GET", target: "/api/products?q=bicycle" }));
    expect(none.statusCode).toBe(200);
    expect(json(none).items).toEqual([]);
  });

  it("carries an image both ways: a base64-encoded upload in, a base64-encoded image out", async () => {
    const listed = await lambda.http(httpApiEvent({ method: "GET", target: "/api/products?q=headphones" }));
    const product = json(listed).items[0];
    const png = await sharp({
      create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 30, b: 30 } },
    })
      .png()
      .toBuffer();
    const uploaded = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: `/api/products/${product.id}/images`,
        headers: { "content-type": "image/png", authorization: `Bearer ${adminToken}` },
        body: png,
        base64: true,
      }),
    );
    expect(uploaded.statusCode, uploaded.body).toBe(201);

    const image = await lambda.http(httpApiEvent({ method: "GET", target: json(uploaded).url }));
    expect(image.statusCode).toBe(200);
    expect(image.headers?.["content-type"]).toBe("image/png");
    expect(image.isBase64Encoded).toBe(true);
    const served = Buffer.from(image.body ?? "", "base64");
    expect(await sharp(served).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());
    // Text stays text.
    expect(listed.isBase64Encoded).toBe(false);
  });

  it("answers a bad body with application/problem+json", async () => {
    const refused = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/auth/register",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "not-an-email", password: "short" }),
      }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
    expect(json(refused)).toMatchObject({ status: 400 });

    const broken = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/products",
        headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
        body: '{"sku": "LAMBDA-2",',
      }),
    );
    expect(broken.statusCode).toBe(400);
    expect(broken.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("answers a missing route with 404 problem+json, and an anonymous admin call with 401", async () => {
    const missing = await lambda.http(httpApiEvent({ method: "GET", target: "/api/no-such-thing" }));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
    // The id as the client encoded it, though API Gateway passes the path decoded.
    const unknown = await lambda.http(httpApiEvent({ method: "GET", target: "/api/products/what%3F%20now" }));
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).detail).toContain("what? now");

    const anonymous = await lambda.http(
      httpApiEvent({
        method: "POST",
        target: "/api/products",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("the request target passed to the app", () => {
  it("keeps the raw query string, repeated parameters and encoded commas included", () => {
    const event = httpApiEvent({ method: "GET", target: "/api/products?color=red&color=blue&q=a%2Cb" });
    expect(event.queryStringParameters).toEqual({ color: "red,blue", q: "a,b" });
    const target = withRequestTarget(event);
    expect(target.rawPath).toBe("/api/products?color=red&color=blue&q=a%2Cb");
    expect(target.queryStringParameters).toBeUndefined();
  });

  it("encodes again what API Gateway decoded in the path, and leaves an encoded path as it is", () => {
    const target = (path: string) => withRequestTarget(httpApiEvent({ method: "GET", target: path })).rawPath;
    expect(httpApiEvent({ method: "GET", target: "/api/products/what%3F%20is%23this" }).rawPath).toBe(
      "/api/products/what? is#this",
    );
    expect(target("/api/products/what%3F%20is%23this?limit=1")).toBe(
      "/api/products/what%3F%20is%23this?limit=1",
    );
    expect(target("/api/categories/Caf%C3%A9")).toBe("/api/categories/Caf%C3%A9");
    expect(target("/files/100%25")).toBe("/files/100%25");
    expect(target("/api/products/it's;a:b@c")).toBe("/api/products/it's;a:b@c");
    const encoded = httpApiEvent({ method: "GET", target: "/api/products/x" });
    encoded.rawPath = "/api/products/a%20b%3F";
    expect(withRequestTarget(encoded).rawPath).toBe("/api/products/a%20b%3F");
  });

  it("takes a named stage's prefix off the path, and leaves the $default stage's path alone", () => {
    const staged = httpApiEvent({ method: "GET", target: "/prod/api/products" });
    staged.requestContext.stage = "prod";
    expect(withRequestTarget(staged).rawPath).toBe("/api/products");
    const root = httpApiEvent({ method: "GET", target: "/prod" });
    root.requestContext.stage = "prod";
    expect(withRequestTarget(root).rawPath).toBe("/");
    const production = httpApiEvent({ method: "GET", target: "/production/x" });
    production.requestContext.stage = "prod";
    expect(withRequestTarget(production).rawPath).toBe("/production/x");
    expect(withRequestTarget(httpApiEvent({ method: "GET", target: "/prod/x" })).rawPath).toBe("/prod/x");
  });
});
