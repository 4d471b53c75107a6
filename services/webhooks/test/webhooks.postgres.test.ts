import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defineEvent } from "@mercato/contracts";
import { configureService, type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { removeNatsResources } from "@mercato/platform/nats";
import {
  call,
  createTestAuthority,
  dropServiceDatabases,
  externalServices,
  requireServer,
  type TestAuthority,
} from "@mercato/platform/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { webhooksService } from "../src/index.ts";
import { type Receiver, startReceiver } from "./receiver.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

const ParcelShipped = defineEvent({
  source: "mercato.parcels",
  detailType: "ParcelShipped",
  description: "test event",
  detail: z.object({ n: z.number() }),
});

/**
 * Webhooks distributed: two processes of the service on one PostgreSQL database and one NATS
 * JetStream. A webhook registered through one is consumed by both; each event is delivered once,
 * signed; deleting it through one stops the other and removes its streams.
 */
describe.runIf(available)("webhooks on PostgreSQL and NATS, in two processes", () => {
  const prefix = `twh${process.pid}x${Date.now() % 100_000}`;
  const secretKey = randomBytes(32).toString("base64");
  const dirs: string[] = [];
  let receiver: Receiver;
  let authority: TestAuthority;
  let one: Host | undefined;
  let two: Host | undefined;

  async function start(): Promise<Host> {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-webhooks-pg-"));
    dirs.push(dataDir);
    return startHost({
      config: {
        // One key for the deployment, as docs/configuration.md asks: both processes open the secrets.
        ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none", MERCATO_SECRET_KEY: secretKey }),
        port: 0,
        databaseUrl: externalServices.postgres.url,
        databasePrefix: prefix,
        busUrl: externalServices.nats.url,
        busPrefix: prefix,
      },
      services: [
        configureService(webhooksService, {
          settings: { syncMs: 100, retryBaseMs: 10, allowedHosts: new Set(["127.0.0.1"]) },
        }),
      ],
      logger: silentLogger(),
      auth: authority.verifier,
    });
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    authority = await createTestAuthority();
    one = await start();
    two = await start();
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await receiver?.close();
    await dropServiceDatabases(["webhooks"], prefix);
    await removeNatsResources({ url: externalServices.nats.url, prefix });
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  const consumedBy = (host: Host | undefined) => host?.services[0]?.context.queues.consumed() ?? [];

  it("delivers each event once from either process, and a deletion reaches both", async () => {
    if (!one || !two) throw new Error("the hosts did not start");
    const admin = await authority.token({ roles: ["admin"] });
    const created = await call(one.url, "POST", "/api/webhooks", {
      token: admin,
      body: { url: `${receiver.url}/parcels`, eventPattern: ParcelShipped.pattern },
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    await expect.poll(() => consumedBy(two)).toContain(id);

    const events = Array.from({ length: 10 }, (_, n) => ParcelShipped.create({ n }, { correlationId: "pg" }));
    await two.transport.publish(events);
    await expect.poll(() => receiver.received.length).toBe(events.length);
    const verifier = new Webhook(secret);
    const delivered = receiver.received.map(
      (request) =>
        (verifier.verify(request.body, request.headers as Record<string, string>) as { id: string }).id,
    );
    expect(delivered.sort()).toEqual(events.map((event) => event.id).sort());
    await expect
      .poll(
        async () =>
          (await call(two?.url ?? "", "GET", `/api/webhooks/${id}/deliveries`, { token: admin })).body.items
            .length,
      )
      .toBe(events.length);
    const log = await call(one.url, "GET", `/api/webhooks/${id}/deliveries`, { token: admin });
    expect(
      new Set(
        log.body.items.map(
          (item: { attempt: number; responseStatus: number }) => `${item.attempt}:${item.responseStatus}`,
        ),
      ),
    ).toEqual(new Set(["1:200"]));

    expect((await call(two.url, "DELETE", `/api/webhooks/${id}`, { token: admin })).status).toBe(204);
    await expect.poll(() => consumedBy(one)).not.toContain(id);
    expect((await one.transport.stats()).map((stats) => stats.name)).not.toContain(`webhooks-${id}`);
    expect((await call(one.url, "GET", `/api/webhooks/${id}`, { token: admin })).status).toBe(404);
  });
});
