import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { defineEvent } from "@mercato/contracts";
import { configureService, createSealedBox } from "@mercato/platform";
import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type WebhooksSettings, type WebhooksTables, webhooksService } from "../src/index.ts";
import { type Answer, type Receiver, startReceiver } from "./receiver.ts";

const ThingHappened = defineEvent({
  source: "mercato.things",
  detailType: "ThingHappened",
  description: "test event",
  detail: z.object({ kind: z.string(), n: z.number() }),
});

const thing = (kind: string, n = 0) => ThingHappened.create({ kind, n }, { correlationId: `c-${kind}` });
const patternOf = (kind: string) => ({ source: ["mercato.things"], detail: { kind: [kind] } });

const settings: Partial<WebhooksSettings> = {
  maxAttempts: 3,
  retryBaseMs: 10,
  timeoutMs: 500,
  syncMs: 200,
  allowedHosts: new Set(["127.0.0.1"]),
};

function webhooks() {
  return configureService(webhooksService, { settings });
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The webhooks service on its own (PGlite, embedded bus), fed events straight onto the bus: its
 * API, its deliveries and their failures, its delivery log and its queues across a restart.
 */
describe("webhooks", () => {
  let shop: TestHost;
  let admin: string;
  let receiver: Receiver;
  const answers = new Map<string, Answer[]>();

  beforeAll(async () => {
    // Each path answers the statuses queued for it in turn, then 200.
    receiver = await startReceiver((request) => {
      const kind = JSON.parse(request.body).detail?.kind as string;
      return answers.get(kind)?.shift() ?? 200;
    });
    shop = await startTestHost({ services: [webhooks()] });
    if (!shop.authority) throw new Error("the test host has no token authority");
    admin = await shop.authority.token({ roles: ["admin"] });
  });

  afterAll(async () => {
    await shop?.close();
    await receiver?.close();
  });

  const register = async (kind: string, url = `${receiver.url}/${kind}`) => {
    const answer = await shop.call("POST", "/api/webhooks", {
      token: admin,
      body: { url, eventPattern: patternOf(kind), description: `${kind} hook` },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string; secret: string };
  };
  const deliveries = async (id: string, query = "") =>
    (await shop.call("GET", `/api/webhooks/${id}/deliveries${query}`, { token: admin })).body;
  const receivedFor = (kind: string) =>
    receiver.received.filter((request) => JSON.parse(request.body).detail?.kind === kind);
  const queue = (id: string) => `webhooks-${id}`;

  it("registers a webhook whose secret is shown once and kept sealed", async () => {
    const created = await register("sealed");
    expect(created).toMatchObject({
      url: `${receiver.url}/sealed`,
      eventPattern: patternOf("sealed"),
      description: "sealed hook",
      enabled: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const one = await shop.call("GET", `/api/webhooks/${created.id}`, { token: admin });
    expect(one.body).not.toHaveProperty("secret");
    const list = await shop.call("GET", "/api/webhooks", { token: admin });
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);

    const rows = await shop
      .context<WebhooksTables>("webhooks")
      .db.selectFrom("webhooks")
      .selectAll()
      .execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(created.secret.slice("whsec_".length));
    expect(rows.find((row) => row.id === created.id)?.sealed_secret).toMatch(/^v1\./);
  });

  it("delivers each matching event signed, the same webhook-id on every attempt, and logs each attempt", async () => {
    const { id, secret } = await register("flaky");
    answers.set("flaky", [500, 503]);
    const event = thing("flaky", 1);
    await shop.host.transport.publish([event, thing("other")]);

    await expect.poll(() => receivedFor("flaky").length).toBe(3);
    const verifier = new Webhook(secret);
    for (const request of receivedFor("flaky")) {
      expect(request.headers["webhook-id"]).toBe(event.id);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(verifier.verify(request.body, request.headers as Record<string, string>)).toEqual(event);
    }
    await expect.poll(async () => (await deliveries(id)).items.length).toBe(3);
    const log = await deliveries(id);
    expect(
      log.items.map((item: { attempt: number; responseStatus: number }) => [
        item.attempt,
        item.responseStatus,
      ]),
    ).toEqual([
      [3, 200],
      [2, 503],
      [1, 500],
    ]);
    expect(log.items[1]).toMatchObject({
      eventId: event.id,
      error: "HTTP 503",
      durationMs: expect.any(Number),
    });
    expect(log.items[0].error).toBeNull();
    expect(log.nextCursor).toBeNull();
    await expect.poll(() => shop.queueDrained(queue(id))).toBe(true);
    expect((await shop.queueStats(queue(id))).dlqDepth).toBe(0);
  });

  it("fails redirects, timeouts and refused connections with their reason, and dead-letters them", async () => {
    const cases: { kind: string; answers: Answer[]; url?: string; error: RegExp }[] = [
      { kind: "redirect", answers: [302, 302, 302], error: /^HTTP 302: redirects are not followed$/ },
      { kind: "slow", answers: ["hang", "hang", "hang"], error: /^no answer within 500 ms$/ },
      {
        kind: "closed",
        answers: [],
        url: `http://127.0.0.1:${await closedPort()}/`,
        error: /^network error: .*ECONNREFUSED/,
      },
    ];
    for (const entry of cases) {
      answers.set(entry.kind, entry.answers);
      const { id } = await register(entry.kind, entry.url);
      const event = thing(entry.kind);
      await shop.host.transport.publish([event]);
      await expect
        .poll(async () => (await shop.queueStats(queue(id))).dlqDepth, { message: entry.kind })
        .toBe(1);
      const [letter] = await shop.host.transport.deadLetters(queue(id));
      expect(letter?.event.id).toBe(event.id);
      expect(letter?.lastError, entry.kind).toMatch(/^attempt 3: /);
      expect(letter?.lastError.replace(/^attempt 3: /, ""), entry.kind).toMatch(entry.error);
      const log = await deliveries(id);
      expect(log.items.map((item: { attempt: number }) => item.attempt)).toEqual([3, 2, 1]);
      for (const item of log.items) expect(item.error, entry.kind).toMatch(entry.error);
    }
    expect(receivedFor("redirect")).toHaveLength(3);
  });

  it("logs a secret that no longer opens (another MERCATO_SECRET_KEY) as a failed attempt", async () => {
    const { id } = await register("rekeyed");
    const other = createSealedBox(randomBytes(32)).seal("whsec_AAAA", `webhook-secret:${id}`);
    await shop
      .context<WebhooksTables>("webhooks")
      .db.updateTable("webhooks")
      .set({ sealed_secret: other })
      .where("id", "=", id)
      .execute();
    await shop.host.transport.publish([thing("rekeyed")]);
    await expect.poll(async () => (await shop.queueStats(queue(id))).dlqDepth).toBe(1);
    const log = await deliveries(id);
    expect(log.items).toHaveLength(3);
    expect(log.items[0]).toMatchObject({
      attempt: 3,
      responseStatus: null,
      error: expect.stringMatching(/MERCATO_SECRET_KEY/),
    });
    expect(receivedFor("rekeyed")).toEqual([]);
  });

  it("never delivers the webhooks service's own events, which would cause more of them", async () => {
    const { id } = await shop
      .call("POST", "/api/webhooks", {
        token: admin,
        body: { url: `${receiver.url}/own`, eventPattern: { source: ["mercato.webhooks"] } },
      })
      .then((answer) => answer.body);
    await register("trigger");
    await shop.host.transport.publish([thing("trigger")]);
    await expect.poll(() => receivedFor("trigger").length).toBe(1);
    await expect.poll(() => shop.settled()).toBe(true);
    expect(
      receiver.received.filter((request) => JSON.parse(request.body).source === "mercato.webhooks"),
    ).toEqual([]);
    expect((await deliveries(id)).items).toEqual([]);
  });

  it("pages webhooks and deliveries with opaque cursors, and refuses forged ones", async () => {
    const first = await shop.call("GET", "/api/webhooks?limit=2", { token: admin });
    expect(first.body.items).toHaveLength(2);
    const rest = await shop.call("GET", `/api/webhooks?limit=100&cursor=${first.body.nextCursor}`, {
      token: admin,
    });
    const all = await shop.call("GET", "/api/webhooks?limit=100", { token: admin });
    expect([...first.body.items, ...rest.body.items].map((item: { id: string }) => item.id)).toEqual(
      all.body.items.map((item: { id: string }) => item.id),
    );
    expect(rest.body.nextCursor).toBeNull();
    const [flaky] = all.body.items.filter((item: { url: string }) => item.url.endsWith("/flaky"));
    const page = await deliveries(flaky.id, "?limit=2");
    expect(page.items.map((item: { attempt: number }) => item.attempt)).toEqual([3, 2]);
    expect((await deliveries(flaky.id, `?limit=2&cursor=${page.nextCursor}`)).items[0].attempt).toBe(1);
    for (const cursor of ["nope", Buffer.from('{"id":"x"}').toString("base64url"), "a".repeat(600)]) {
      const answer = await shop.call("GET", `/api/webhooks?cursor=${cursor}`, { token: admin });
      expect(answer.status, cursor).toBe(400);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("keeps webhooks across a restart, delivers after it, and drops queues whose webhook is gone", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-webhooks-restart-"));
    let host = await startTestHost({ services: [webhooks()], dataDir, auth: shop.authority });
    try {
      const created = await host.call("POST", "/api/webhooks", {
        token: admin,
        body: { url: `${receiver.url}/restart`, eventPattern: patternOf("restart") },
      });
      expect(created.status).toBe(201);
      const orphan = "webhooks-0190a0d4-0000-7000-8000-000000000000";
      await host.host.transport.declareQueue({
        name: orphan,
        visibilityTimeoutMs: 1_000,
        maxReceiveCount: 1,
        backoff: { baseMs: 10, maxMs: 10 },
      });
      await host.close();

      host = await startTestHost({ services: [webhooks()], dataDir, auth: shop.authority });
      const names = (await host.host.transport.stats()).map((stats) => stats.name);
      expect(names).toContain(queue(created.body.id));
      expect(names).not.toContain(orphan);
      await host.host.transport.publish([thing("restart")]);
      await expect.poll(() => receivedFor("restart").length).toBe(1);
    } finally {
      await host.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
