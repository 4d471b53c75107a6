import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defineEvent, type EventEnvelope } from "@mercato/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { removeNatsResources } from "../src/bus/nats/index.ts";
import {
  configureService,
  defineService,
  type Host,
  loadConfig,
  type PlatformConfig,
  type RuntimeHandler,
  type ServiceContext,
  silentLogger,
  startHost,
} from "../src/index.ts";
import { externalServices, requireServer } from "../src/testing/external-services.ts";

const Pinged = defineEvent({
  source: "mercato.pings",
  detailType: "Pinged",
  description: "test event",
  detail: z.object({ to: z.string(), n: z.number() }),
});

const ping = (to: string, n = 0) => Pinged.create({ to, n }, { correlationId: "kit" });
const patternFor = (to: string) => ({ source: ["mercato.pings"], detail: { to: [to] } });

interface Seen {
  key: string;
  event: EventEnvelope;
  receiveCount: number;
  label: string;
}

/**
 * A service with one static subscription and queues it makes at run time: `early` is asked for
 * while its resources are made (before the consumers start); every queue on the bus is consumed
 * again by onStart, as a service re-attaches its runtime queues after a restart.
 */
function pingService(seen: Seen[], failFor: Set<string>) {
  const handler =
    (key: string): RuntimeHandler<unknown, { label: string }> =>
    async (event, { delivery, settings }) => {
      seen.push({ key, event, receiveCount: delivery.receiveCount, label: settings.label });
      if (failFor.has(key)) throw new Error(`receiver of ${key} is down`);
    };
  return configureService(
    defineService<unknown, { label: string }, { handler: typeof handler }>({
      name: "pings",
      subscriptions: [{ name: "static", eventPattern: { source: ["mercato.none"] }, async handle() {} }],
      async resources(context) {
        await context.queues.declare("early");
        await context.queues.putRule("early", patternFor("early"));
        await context.queues.consume("early", handler("early"));
        return { handler };
      },
      async onStart(context) {
        for (const key of await context.queues.declared()) {
          await context.queues.consume(key, context.resources.handler(key));
        }
      },
    }),
    { settings: { label: "configured" } },
  );
}

type PingContext = ServiceContext<
  unknown,
  { label: string },
  { handler: (key: string) => RuntimeHandler<unknown, { label: string }> }
>;

async function startPings(config: PlatformConfig, seen: Seen[], failFor = new Set<string>()) {
  const host = await startHost({ config, services: [pingService(seen, failFor)], logger: silentLogger() });
  const context = host.services[0]?.context as unknown as PingContext;
  return { host, context };
}

/** Makes a queue at run time the way a route would, and consumes it here. */
async function attach(context: PingContext, key: string, settings = {}) {
  await context.queues.declare(key, settings);
  await context.queues.putRule(key, patternFor(key));
  await context.queues.consume(key, context.resources.handler(key));
}

const stats = async (host: Host, queue: string) =>
  (await host.transport.stats()).find((candidate) => candidate.name === queue);

describe("runtime queues of the service kit (embedded)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });
  const embeddedConfig = async (dataDir?: string) => {
    const dir = dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "mercato-runtime-queues-")));
    dirs.push(dir);
    return { ...loadConfig({ MERCATO_DATA_DIR: dir, MERCATO_SEED: "none" }), port: 0 };
  };

  it("declares, routes and consumes queues named <service>-<key>, with the service's context", async () => {
    const seen: Seen[] = [];
    const { host, context } = await startPings(await embeddedConfig(), seen);
    try {
      await host.transport.publish([ping("early", 1)]);
      await expect
        .poll(() => seen.map((entry) => `${entry.key}:${entry.label}`))
        .toEqual(["early:configured"]);

      await attach(context, "later");
      await context.queues.consume("later", context.resources.handler("twice"));
      await host.transport.publish([ping("later", 2), ping("nobody", 3)]);
      await expect.poll(() => seen.filter((entry) => entry.key === "later")).toHaveLength(1);
      expect(seen.some((entry) => entry.key === "twice")).toBe(false);

      expect(context.queues.nameOf("later")).toBe("pings-later");
      expect((await host.transport.listRules()).find((rule) => rule.name === "pings-later")).toEqual({
        name: "pings-later",
        eventPattern: patternFor("later"),
        queue: "pings-later",
      });
      expect(context.queues.consumed().sort()).toEqual(["early", "later"]);
      expect((await context.queues.declared()).sort()).toEqual(["early", "later"]);
      expect(() => context.queues.nameOf("Bad Key")).toThrow(/lowercase/);
      expect(() => context.queues.nameOf("x".repeat(80))).toThrow(/at most 80/);
      expect(() => context.queues.nameOf("static")).toThrow(/subscription's queue/);
      const metrics = await host.app.inject({ method: "GET", url: "/metrics" });
      expect(metrics.body).toMatch(/handler_duration_seconds_count\{queue="pings-later",outcome="ok"\} 1/);
    } finally {
      await host.close();
    }
  });

  it("retries a failing handler with the queue's backoff, then dead-letters it with the error", async () => {
    const seen: Seen[] = [];
    const { host, context } = await startPings(await embeddedConfig(), seen, new Set(["failing"]));
    try {
      await attach(context, "failing", { maxReceiveCount: 3, backoff: { baseMs: 5, maxMs: 10 } });
      const event = ping("failing");
      await host.transport.publish([event]);
      await expect.poll(async () => (await stats(host, "pings-failing"))?.dlqDepth).toBe(1);
      expect(seen.map((entry) => entry.receiveCount)).toEqual([1, 2, 3]);
      const [letter] = await host.transport.deadLetters("pings-failing");
      expect(letter?.event.id).toBe(event.id);
      expect(letter?.lastError).toBe("receiver of failing is down");
    } finally {
      await host.close();
    }
  });

  it("stops consuming in this process, removes queue and rule, and consumes nothing once stopped", async () => {
    const seen: Seen[] = [];
    const { host, context } = await startPings(await embeddedConfig(), seen);
    try {
      await attach(context, "paused");
      await context.queues.stopConsuming("paused");
      await host.transport.publish([ping("paused")]);
      await expect.poll(async () => (await stats(host, "pings-paused"))?.depth).toBe(1);
      expect(seen.filter((entry) => entry.key === "paused")).toEqual([]);

      await context.queues.remove("paused");
      await context.queues.remove("paused");
      expect(await stats(host, "pings-paused")).toBeUndefined();
      expect((await host.transport.listRules()).map((rule) => rule.name)).not.toContain("pings-paused");
      expect(await context.queues.declared()).toEqual(["early"]);
    } finally {
      await host.close();
    }
    await expect(context.queues.consume("early", context.resources.handler("early"))).rejects.toThrow(
      /has stopped/,
    );
  });

  it("keeps queues and rules across a restart; onStart attaches their consumers again", async () => {
    const config = await embeddedConfig();
    const before: Seen[] = [];
    const first = await startPings(config, before);
    await attach(first.context, "kept");
    await first.host.close();

    const after: Seen[] = [];
    const second = await startPings(config, after);
    try {
      expect(second.context.queues.consumed().sort()).toEqual(["early", "kept"]);
      await second.host.transport.publish([ping("kept", 7)]);
      await expect.poll(() => after.map((entry) => entry.key)).toEqual(["kept"]);
    } finally {
      await second.host.close();
    }
  });
});

const natsUp = await requireServer("nats");

describe.runIf(natsUp)("runtime queues of the service kit on NATS, in two processes", () => {
  const prefix = `trq${process.pid}x${Date.now() % 100_000}`;
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
    await removeNatsResources({ url: externalServices.nats.url, prefix });
  });
  const natsConfig = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-runtime-queues-nats-"));
    dirs.push(dir);
    return {
      ...loadConfig({ MERCATO_DATA_DIR: dir, MERCATO_SEED: "none" }),
      port: 0,
      busUrl: externalServices.nats.url,
      busPrefix: prefix,
    };
  };

  it("shares a queue made in one process with the other, which consumes it after a start; removal reaches both", async () => {
    const seen: Seen[] = [];
    const one = await startPings(await natsConfig(), seen);
    const two = await startPings(await natsConfig(), seen);
    try {
      await attach(one.context, "shared");
      expect(await two.context.queues.declared()).toContain("shared");
      await two.context.queues.consume("shared", two.context.resources.handler("shared"));
      const events = Array.from({ length: 20 }, (_, n) => ping("shared", n));
      await one.host.transport.publish(events);
      await expect.poll(() => seen.filter((entry) => entry.key === "shared").length).toBe(20);
      expect(new Set(seen.map((entry) => entry.event.id)).size).toBe(seen.length);

      await two.context.queues.stopConsuming("shared");
      await one.context.queues.remove("shared");
      expect(await two.context.queues.declared()).not.toContain("shared");
      expect((await two.host.transport.listRules()).map((rule) => rule.name)).not.toContain("pings-shared");
    } finally {
      await one.host.close();
      await two.host.close();
    }
  });
});
