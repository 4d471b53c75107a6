import { configureService } from "@mercato/platform";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectServices } from "../apps/cli/src/services.ts";
import { type ReceivedWebhook, type Receiver, startReceiver } from "../services/webhooks/test/receiver.ts";
import { type Answer, type Body, type ShopClient, startShop } from "./support/shop.ts";

/**
 * Webhooks over HTTP through the gateway, with catalog as the source of events and a receiver on
 * 127.0.0.1 (allowed through MERCATO_WEBHOOK_ALLOWED_HOSTS): signed deliveries, retries into the
 * webhook's dead-letter queue, redrive through the operations API, disabling, re-routing, deletion,
 * and bad input.
 */

const maxAttempts = 3;

function expectProblem(answer: Answer, status: number, detail?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//) });
  if (detail) expect(answer.body.detail).toMatch(detail);
}

/** ProductCreated (or `types`) of products whose sku starts with `prefix`. */
function productsPattern(prefix: string, types = ["ProductCreated"]) {
  return { source: ["mercato.catalog"], "detail-type": types, detail: { sku: [{ prefix }] } };
}

describe("webhooks across the shop", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let client: ShopClient;
  let admin: string;
  let receiver: Receiver;
  /** Receiver paths that answer 500 until removed from here. */
  const failing = new Set<string>();
  let skus = 0;

  beforeAll(async () => {
    receiver = await startReceiver((request) => (failing.has(request.path.slice(1)) ? 500 : 200));
    // The webhooks service as the host builds it, with its settings given instead of read.
    const services = selectServices(["gateway", "identity", "catalog", "webhooks"]).map((service) =>
      service.name === "webhooks"
        ? configureService(service, {
            settings: { maxAttempts, retryBaseMs: 10, allowedHosts: new Set(["127.0.0.1"]) },
          })
        : service,
    );
    shop = await startShop({ services });
    client = shop.client;
    admin = await client.adminToken();
  });

  afterAll(async () => {
    await shop?.close();
    await receiver?.close();
  });

  const deliveredTo = (path: string) => receiver.received.filter((request) => request.path === `/${path}`);
  const idle = async () =>
    (await shop.host.transport.stats()).every((queue) => queue.depth + queue.inFlight + queue.delayed === 0);

  async function register(path: string, eventPattern: object): Promise<{ id: string; secret: string }> {
    const created = await client.call("POST", "/api/webhooks", {
      token: admin,
      body: { url: `${receiver.url}/${path}`, eventPattern, description: `${path} receiver` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  async function product(prefix: string): Promise<Body> {
    skus += 1;
    const created = await client.call("POST", "/api/products", {
      token: admin,
      body: {
        sku: `${prefix}${skus}`,
        name: `Product ${skus}`,
        category: "Hooks",
        price: { amount: 100, currency: "EUR" },
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  const log = async (id: string) =>
    (await client.call("GET", `/api/webhooks/${id}/deliveries?limit=100`, { token: admin })).body.items as {
      eventId: string;
      attempt: number;
      responseStatus: number | null;
      error: string | null;
    }[];
  const ops = (method: string, path: string, body?: unknown) =>
    client.call(method, `/api/ops${path}`, { token: admin, ...(body === undefined ? {} : { body }) });

  it("delivers a product's creation to a matching webhook, signed as Standard Webhooks says", async () => {
    const { id, secret } = await register("created", productsPattern("CREATED-"));
    const created = await product("CREATED-");
    await product("OTHER-");

    await expect.poll(() => deliveredTo("created").length).toBe(1);
    const [request] = deliveredTo("created");
    const event = new Webhook(secret).verify(request?.body ?? "", request?.headers as Record<string, string>);
    expect(event).toMatchObject({
      source: "mercato.catalog",
      "detail-type": "ProductCreated",
      detail: { productId: created.id, sku: created.sku },
    });
    expect(request?.headers["webhook-id"]).toBe((event as { id: string }).id);
    expect(Number(request?.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -2);
    await expect
      .poll(() => log(id))
      .toEqual([
        expect.objectContaining({
          eventId: (event as { id: string }).id,
          attempt: 1,
          responseStatus: 200,
          error: null,
        }),
      ]);
  });

  it("retries a failing receiver into the webhook's DLQ with its error; a redrive after it recovers delivers", async () => {
    failing.add("failing");
    const { id, secret } = await register("failing", productsPattern("FAILING-"));
    const queue = `webhooks-${id}`;
    await product("FAILING-");

    await expect
      .poll(
        async () =>
          (await ops("GET", "/queues")).body.items.find((item: Body) => item.name === queue)?.dlqDepth,
      )
      .toBe(1);
    const dlq = await ops("GET", `/queues/${queue}/dlq`);
    expect(dlq.status).toBe(200);
    expect(dlq.body.items).toHaveLength(1);
    const [letter] = dlq.body.items;
    expect(letter.lastError).toBe(`attempt ${maxAttempts}: HTTP 500`);
    expect(letter.attempts.map((attempt: { error: string }) => attempt.error)).toEqual([
      "attempt 1: HTTP 500",
      "attempt 2: HTTP 500",
      "attempt 3: HTTP 500",
    ]);
    expect((await log(id)).map((item) => [item.attempt, item.responseStatus, item.error])).toEqual([
      [3, 500, "HTTP 500"],
      [2, 500, "HTTP 500"],
      [1, 500, "HTTP 500"],
    ]);
    expect(deliveredTo("failing")).toHaveLength(maxAttempts);
    const deadLetterAlerts = async () =>
      ((await ops("GET", "/alerts")).body.items as Body[]).filter(
        (alert) => alert.name === "DeadLetterQueueNotEmpty" && alert.summary.includes(queue),
      );
    await expect.poll(async () => (await deadLetterAlerts()).length).toBe(1);
    expect((await deadLetterAlerts())[0]).toMatchObject({
      severity: "warning",
      summary: expect.stringContaining(`Queue ${queue} has 1 dead letter(s)`),
    });

    failing.delete("failing");
    expect((await ops("POST", `/queues/${queue}/redrive`, {})).body).toEqual({ moved: 1 });
    await expect.poll(() => deliveredTo("failing").length).toBe(maxAttempts + 1);
    const ids = new Set(deliveredTo("failing").map((request) => request.headers["webhook-id"]));
    expect(ids).toEqual(new Set([letter.event.id]));
    const redelivered = deliveredTo("failing").at(-1) as ReceivedWebhook;
    expect(
      new Webhook(secret).verify(redelivered.body, redelivered.headers as Record<string, string>),
    ).toEqual(letter.event);
    await expect.poll(async () => (await log(id))[0]).toMatchObject({ attempt: 4, responseStatus: 200 });
    expect((await ops("GET", `/queues/${queue}/dlq`)).body.items).toEqual([]);
    await expect.poll(async () => (await deadLetterAlerts()).length).toBe(0);
  });

  it("delivers nothing to a disabled webhook, and again once it is enabled", async () => {
    const { id } = await register("paused", productsPattern("PAUSED-"));
    await register("witness", productsPattern("PAUSED-"));
    const disabled = await client.call("PATCH", `/api/webhooks/${id}`, {
      token: admin,
      body: { enabled: false },
    });
    expect(disabled.body).toMatchObject({ id, enabled: false });
    expect((await ops("GET", "/rules")).body.items.map((rule: Body) => rule.name)).not.toContain(
      `webhooks-${id}`,
    );

    await product("PAUSED-");
    await expect.poll(() => deliveredTo("witness").length).toBe(1);
    await expect.poll(idle).toBe(true);
    expect(deliveredTo("paused")).toEqual([]);
    expect(await log(id)).toEqual([]);

    await client.call("PATCH", `/api/webhooks/${id}`, { token: admin, body: { enabled: true } });
    const after = await product("PAUSED-");
    await expect.poll(() => deliveredTo("paused").length).toBe(1);
    expect(JSON.parse(deliveredTo("paused")[0]?.body ?? "{}").detail.sku).toBe(after.sku);
  });

  it("routes by the new pattern after a PATCH", async () => {
    const { id } = await register("moved", productsPattern("MOVED-"));
    const changed = await client.call("PATCH", `/api/webhooks/${id}`, {
      token: admin,
      body: { eventPattern: productsPattern("MOVED-", ["ProductUpdated"]), description: null },
    });
    expect(changed.body).toMatchObject({
      eventPattern: productsPattern("MOVED-", ["ProductUpdated"]),
      description: null,
    });
    const rule = (await ops("GET", "/rules")).body.items.find((item: Body) => item.name === `webhooks-${id}`);
    expect(rule).toEqual({
      name: `webhooks-${id}`,
      eventPattern: productsPattern("MOVED-", ["ProductUpdated"]),
      target: `webhooks-${id}`,
    });

    const created = await product("MOVED-");
    const renamed = await client.call("PATCH", `/api/products/${created.id}`, {
      token: admin,
      body: { name: "Renamed" },
    });
    expect(renamed.status).toBe(200);
    await expect.poll(() => deliveredTo("moved").length).toBe(1);
    expect(JSON.parse(deliveredTo("moved")[0]?.body ?? "{}")).toMatchObject({
      "detail-type": "ProductUpdated",
      detail: { name: "Renamed" },
    });
  });

  it("deletes a webhook with its queue, DLQ, rule and delivery log", async () => {
    const { id } = await register("deleted", productsPattern("DELETED-"));
    const queue = `webhooks-${id}`;
    expect((await ops("GET", "/queues")).body.items.map((item: Body) => item.name)).toContain(queue);

    expect((await client.call("DELETE", `/api/webhooks/${id}`, { token: admin })).status).toBe(204);

    expectProblem(await client.call("GET", `/api/webhooks/${id}`, { token: admin }), 404);
    expectProblem(await client.call("GET", `/api/webhooks/${id}/deliveries`, { token: admin }), 404);
    expectProblem(await client.call("DELETE", `/api/webhooks/${id}`, { token: admin }), 404);
    expect((await ops("GET", "/queues")).body.items.map((item: Body) => item.name)).not.toContain(queue);
    expect((await ops("GET", "/rules")).body.items.map((rule: Body) => rule.name)).not.toContain(queue);
    expectProblem(await ops("GET", `/queues/${queue}/dlq`), 404);
    await product("DELETED-");
    expect(deliveredTo("deleted")).toEqual([]);
  });

  it("answers bad input with a problem and changes nothing", async () => {
    const { id } = await register("steady", productsPattern("STEADY-"));
    const before = await client.call("GET", "/api/webhooks?limit=100", { token: admin });
    const rulesBefore = (await ops("GET", "/rules")).body;
    const customer = (await client.register()).token;
    const valid = { url: `${receiver.url}/new`, eventPattern: productsPattern("NEW-") };
    const post = (body: unknown, token: string | null = admin) =>
      client.call("POST", "/api/webhooks", { ...(token ? { token } : {}), body });

    expectProblem(await post(valid, null), 401);
    expectProblem(await client.call("POST", "/api/webhooks", { rawBody: "{nope" }), 401);
    expectProblem(await post(valid, customer), 403);
    expectProblem(await client.call("GET", "/api/webhooks", { token: customer }), 403);
    expectProblem(await client.call("GET", `/api/webhooks/${id}/deliveries`), 401);
    expectProblem(await client.call("POST", "/api/webhooks", { token: admin, rawBody: "{nope" }), 400);
    expectProblem(
      await client.call("POST", "/api/webhooks", {
        token: admin,
        rawBody: JSON.stringify(valid),
        headers: { "content-type": "text/plain" },
      }),
      415,
    );
    expectProblem(await post({ ...valid, description: "x".repeat(20_000) }), 413);
    for (const body of [
      {},
      { url: valid.url },
      { eventPattern: valid.eventPattern },
      { ...valid, url: 42 },
      { ...valid, eventPattern: "source" },
      { ...valid, eventPattern: [] },
      { ...valid, description: 7 },
      { ...valid, secret: "whsec_mine" },
      { ...valid, url: "x".repeat(3000) },
    ]) {
      expectProblem(await post(body), 400);
    }
    const badPattern = await post({
      ...valid,
      eventPattern: { detail: { total: [{ numeric: [">", "ten"] }] } },
    });
    expectProblem(badPattern, 400, /event pattern is not valid/);
    expect(badPattern.body.errors[0].path).toBe("body.eventPattern");
    expectProblem(await post({ ...valid, url: "ftp://example.com/hook" }), 400, /http or https/);
    expectProblem(await post({ ...valid, url: "not a url" }), 400, /absolute URL/);
    const privateUrl = await post({ ...valid, url: "http://10.0.0.8/hook" });
    expectProblem(privateUrl, 422, /private address/);
    expect(privateUrl.body.errors).toEqual([
      { path: "body.url", message: expect.stringMatching(/10\.0\.0\.8/) },
    ]);
    expectProblem(await post({ ...valid, url: "http://localhost:8080/hook" }), 422, /loopback/);
    expectProblem(await post({ ...valid, url: "http://[::ffff:169.254.169.254]/" }), 422, /link-local/);

    const unknown = "0190a0d4-0000-7000-8000-000000000000";
    for (const [method, path] of [
      ["GET", `/api/webhooks/${unknown}`],
      ["PATCH", `/api/webhooks/${unknown}`],
      ["DELETE", `/api/webhooks/${unknown}`],
      ["GET", `/api/webhooks/${unknown}/deliveries`],
      ["GET", "/api/webhooks/not-a-webhook"],
    ] as const) {
      expectProblem(
        await client.call(method, path, {
          token: admin,
          ...(method === "PATCH" ? { body: { enabled: false } } : {}),
        }),
        404,
      );
    }
    const patch = (body: unknown) => client.call("PATCH", `/api/webhooks/${id}`, { token: admin, body });
    expectProblem(await patch({}), 400);
    expectProblem(await patch({ enabled: "no" }), 400);
    expectProblem(await patch({ eventPattern: { source: [{ prefix: 7 }] } }), 400, /event pattern/);
    expectProblem(await patch({ url: "http://192.168.1.1/" }), 422, /private/);
    expectProblem(await patch({ url: "gopher://example.com/" }), 400);
    for (const query of ["?limit=0", "?limit=101", "?limit=ten", "?cursor=%%%", "?colour=red"]) {
      expectProblem(await client.call("GET", `/api/webhooks${query}`, { token: admin }), 400);
      expectProblem(
        await client.call("GET", `/api/webhooks/${id}/deliveries${query}`, { token: admin }),
        400,
      );
    }

    expect((await client.call("GET", "/api/webhooks?limit=100", { token: admin })).body).toEqual(before.body);
    expect((await ops("GET", "/rules")).body).toEqual(rulesBefore);
  });
});
