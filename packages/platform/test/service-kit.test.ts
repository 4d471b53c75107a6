import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configureService,
  type Delivery,
  defineService,
  type EventOf,
  type Host,
  inboxPruning,
  inboxRetentionMs,
  loadConfig,
  on,
  type ServiceDefinition,
  silentLogger,
  startHost,
  withInbox,
} from "../src/index.ts";
import { NoteCounted, NoteWritten } from "./fixtures/notes/notes-service.ts";

const day = 24 * 60 * 60 * 1000;
const queue = "kit-notes";

function note(body: string): EventOf<typeof NoteWritten> {
  return NoteWritten.create({ noteId: body, body }, { correlationId: "kit" });
}

function deliveryOf(event: EventEnvelope, receiveCount = 1): Delivery {
  return { messageId: event.id, queue, event, receiveCount, extendVisibility: async () => {} };
}

/** A service with no tables of its own: a subscription of `on` entries and a task. */
function kitService(
  seen: string[],
  ticks: { count: number },
): ServiceDefinition<unknown, { tickMs: number }> {
  return defineService<unknown, { tickMs: number }>({
    name: "kit",
    subscriptions: [
      {
        name: "notes",
        queue: { visibilityTimeoutMs: 2_000, maxReceiveCount: 2, backoff: { baseMs: 10, maxMs: 20 } },
        handlers: [
          on(NoteWritten, async (event, { settings }) => {
            seen.push(`${event.detail.body}@${settings.tickMs}`);
          }),
        ],
      },
    ],
    tasks: [
      {
        name: "tick",
        intervalMs: 60_000,
        interval: (settings) => settings.tickMs,
        async run() {
          ticks.count += 1;
        },
      },
    ],
  });
}

describe("the service kit", () => {
  let host: Host;
  let dataDir: string;
  const seen: string[] = [];
  const ticks = { count: 0 };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-kit-"));
    const config = { ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }), port: 0 };
    const service = configureService(kitService(seen, ticks), { settings: { tickMs: 20 } });
    host = await startHost({ config, services: [service], logger: silentLogger() });
  });

  afterAll(async () => {
    await host?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("derives the rule from the on entries and dispatches by type, with the host's settings", async () => {
    const rules = await host.transport.listRules();
    expect(rules.find((rule) => rule.name === queue)?.eventPattern).toEqual(NoteWritten.pattern);
    await host.transport.publish([note("hello")]);
    await expect.poll(() => seen).toContain("hello@20");
  });

  it("runs the declared tasks at the interval the settings give", async () => {
    await expect.poll(() => ticks.count).toBeGreaterThanOrEqual(2);
  });

  it("fails an event no entry handles, so that it is dead-lettered instead of acknowledged", async () => {
    await host.transport.putRule({ name: "kit-stray", eventPattern: NoteCounted.pattern, queue });
    const stray = NoteCounted.create({ noteId: "n", timesSeen: 1 }, { correlationId: "kit" });
    await host.transport.publish([stray]);
    await expect
      .poll(async () => (await host.transport.deadLetters(queue)).map((letter) => letter.event.id))
      .toContain(stray.id);
    expect((await host.transport.deadLetters(queue))[0]?.lastError).toContain("no handler for");
  });

  it("keeps inbox rows a week unless MERCATO_INBOX_RETENTION_MS says otherwise, and never less than a day", () => {
    expect(inboxRetentionMs({})).toBe(7 * day);
    expect(inboxRetentionMs({ MERCATO_INBOX_RETENTION_MS: String(14 * day) })).toBe(14 * day);
    expect(() => inboxRetentionMs({ MERCATO_INBOX_RETENTION_MS: "60000" })).toThrow(/at least/);
  });

  it("prunes inbox rows past the retention, keeps recent ones, and still absorbs a redelivery inside the window", async () => {
    const running = host.services[0];
    if (!running) throw new Error("kit is not running");
    const context = running.context;
    const database = context.database;
    let handled = 0;
    const handler = withInbox(database, queue, async () => {
      handled += 1;
    });
    const old = note("old");
    const recent = note("recent");
    await handler(deliveryOf(old));
    await handler(deliveryOf(recent));
    expect(handled).toBe(2);
    const retention = inboxRetentionMs({});
    expect(retention).toBeGreaterThanOrEqual(7 * day);
    // The old row is a day past the retention; the recent one a day inside it.
    await sql`UPDATE inbox SET processed_at = ${new Date(Date.now() - retention - day)} WHERE event_id = ${old.id}`.execute(
      context.db,
    );
    await sql`UPDATE inbox SET processed_at = ${new Date(Date.now() - retention + day)} WHERE event_id = ${recent.id}`.execute(
      context.db,
    );

    await inboxPruning(retention).run(context);

    const rows = await sql<{
      event_id: string;
    }>`SELECT event_id FROM inbox WHERE consumer = ${queue}`.execute(context.db);
    const ids = rows.rows.map((row) => row.event_id);
    expect(ids).toContain(recent.id);
    expect(ids).not.toContain(old.id);
    await handler(deliveryOf(recent, 2));
    expect(handled).toBe(2);
  });
});
