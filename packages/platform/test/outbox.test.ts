import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import { type Generated, type Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createEmbeddedTransport } from "../src/bus/embedded/index.ts";
import {
  type DatabaseProvider,
  type Delivery,
  type EventPattern,
  migrate,
  OutboxRelay,
  openDatabaseProvider,
  type ServiceDatabase,
  silentLogger,
  type Transport,
  withInbox,
  writeToOutbox,
} from "../src/index.ts";
import { messagingMigrations } from "../src/outbox/tables.ts";
import { dropServiceDatabases, externalServices, requireServer } from "../src/testing/external-services.ts";
import { NoteWritten } from "./fixtures/notes/notes-service.ts";

const hasPostgres = await requireServer("postgres");
const logger = silentLogger();
const pattern: EventPattern = { source: ["mercato.notes"] };

interface EffectTables {
  effects: { id: Generated<number>; event_id: string };
}

const effectsMigration = {
  name: "0001_effects",
  sql: "CREATE TABLE effects (id serial PRIMARY KEY, event_id text NOT NULL);",
};

function note(body: string): EventEnvelope {
  return NoteWritten.create({ noteId: body, body }, { correlationId: "test" });
}

/** Collects what a queue delivers, for assertions. */
async function collect(transport: Transport, queue: string) {
  const deliveries: Delivery[] = [];
  const subscription = await transport.consume(queue, async (delivery) => {
    deliveries.push(delivery);
  });
  return {
    deliveries,
    ids: () => deliveries.map((delivery) => delivery.event.id),
    stop: () => subscription.stop(),
  };
}

async function openAll(dataDir: string, databaseUrl?: string) {
  const databases = await openDatabaseProvider({ databaseUrl, dataDir, logger });
  const database = await databases.forService<EffectTables>(
    `t_outbox_${path.basename(dataDir).slice(-6).toLowerCase()}`,
  );
  await migrate(database, [...messagingMigrations, effectsMigration]);
  const transport = await createEmbeddedTransport({ dataDir, logger });
  await transport.declareQueue({
    name: "notes-test",
    visibilityTimeoutMs: 2000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 20 },
  });
  await transport.putRule({ name: "notes-test", eventPattern: pattern, queue: "notes-test" });
  return { databases, database, transport };
}

async function write(database: ServiceDatabase<EffectTables>, events: EventEnvelope[]) {
  await database.db
    .transaction()
    .execute((transaction) =>
      writeToOutbox(transaction as unknown as Kysely<unknown>, database.schema, events),
    );
}

async function outboxSize(database: ServiceDatabase<EffectTables>) {
  const result = await sql<{ count: number }>`SELECT count(*)::int AS count FROM outbox`.execute(database.db);
  return result.rows[0]?.count;
}

describe("transactional outbox", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-outbox-"));
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    const opened = await openAll(dataDir);
    cleanups.push(async () => {
      await opened.transport.close();
      await opened.databases.close();
    });
    return { dataDir, ...opened };
  }

  it("publishes events of committed transactions and never those rolled back", async () => {
    const { database, transport } = await setUp();
    const kept = [note("a"), note("b"), note("c")];
    await write(database, kept);
    await expect(
      database.db.transaction().execute(async (transaction) => {
        await writeToOutbox(transaction as unknown as Kysely<unknown>, database.schema, [note("lost")]);
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    const relay = new OutboxRelay({ database, transport, logger });
    await relay.start();
    cleanups.push(() => relay.stop());
    const consumer = await collect(transport, "notes-test");
    cleanups.push(consumer.stop);
    await expect.poll(() => consumer.ids().sort()).toEqual(kept.map((event) => event.id).sort());
    expect(await outboxSize(database)).toBe(0);
  });

  it("wakes on commit instead of waiting for its poll", async () => {
    const { database, transport } = await setUp();
    const relay = new OutboxRelay({ database, transport, logger, pollIntervalMs: 60_000 });
    await relay.start();
    cleanups.push(() => relay.stop());
    const consumer = await collect(transport, "notes-test");
    cleanups.push(consumer.stop);
    const event = note("now");
    await write(database, [event]);
    await expect.poll(() => consumer.ids()).toEqual([event.id]);
  });

  it("loses nothing when the process stops between commit and publish", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-outbox-"));
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    const first = await openAll(dataDir);
    const events = [note("x"), note("y")];
    await write(first.database, events);
    await first.transport.close();
    await first.databases.close();

    const second = await openAll(dataDir);
    cleanups.push(async () => {
      await second.transport.close();
      await second.databases.close();
    });
    const relay = new OutboxRelay({ database: second.database, transport: second.transport, logger });
    await relay.start();
    cleanups.push(() => relay.stop());
    const consumer = await collect(second.transport, "notes-test");
    cleanups.push(consumer.stop);
    await expect.poll(() => consumer.ids().sort()).toEqual(events.map((e) => e.id).sort());
  });

  it("republishes after a crash between publish and delete, and the inbox absorbs the repeat", async () => {
    const { database, transport } = await setUp();
    let handled = 0;
    const handler = withInbox(database, "notes-test", async (event, { transaction }) => {
      handled++;
      await transaction.insertInto("effects").values({ event_id: event.id }).execute();
    });
    const consumer = await transport.consume("notes-test", handler);
    cleanups.push(() => consumer.stop());
    const events = [note("once"), note("twice")];
    await write(database, events);

    let crashes = 1;
    const crashingAfterPublish: Transport = Object.create(transport, {
      publish: {
        value: async (published: EventEnvelope[]) => {
          await transport.publish(published);
          if (crashes-- > 0) throw new Error("process died before the outbox delete committed");
        },
      },
    });
    const relay = new OutboxRelay({ database, transport: crashingAfterPublish, logger });
    await expect(relay.relayBatch()).rejects.toThrow("process died");
    expect(await outboxSize(database)).toBe(2);
    await expect.poll(() => handled).toBe(2);
    expect(await relay.relayBatch()).toBe(2);
    expect(await outboxSize(database)).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const effects = await database.db.selectFrom("effects").select("event_id").execute();
    expect(effects.map((row) => row.event_id).sort()).toEqual(events.map((e) => e.id).sort());
  });
});

describe("rows handed to the relay after their commit", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(transportOf: (transport: Transport) => Transport = (transport) => transport) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-outbox-"));
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    const opened = await openAll(dataDir);
    cleanups.push(async () => {
      await opened.transport.close();
      await opened.databases.close();
    });
    const consumer = await collect(opened.transport, "notes-test");
    cleanups.push(consumer.stop);
    // No NOTIFY and a poll an hour away: only the hand-over can publish these rows.
    const relay = new OutboxRelay({
      database: opened.database,
      transport: transportOf(opened.transport),
      logger,
      pollIntervalMs: 3_600_000,
    });
    await relay.start();
    cleanups.push(() => relay.stop());
    const commit = (events: EventEnvelope[]) =>
      opened.database.db.transaction().execute((transaction) =>
        writeToOutbox(transaction as unknown as Kysely<unknown>, opened.database.schema, events, {
          notify: false,
        }),
      );
    return { ...opened, consumer, relay, commit };
  }

  it("publishes them in the order written without reading them back, then deletes them", async () => {
    const { database, consumer, relay, commit } = await setUp();
    const first = [note("a"), note("b")];
    const second = [note("c")];
    relay.committed(await commit(first));
    relay.committed(await commit(second));
    await expect.poll(() => consumer.ids()).toEqual([...first, ...second].map((event) => event.id));
    await expect.poll(() => outboxSize(database)).toBe(0);
  });

  it("leaves them to a sweep when publishing fails, which publishes them and later ones in order", async () => {
    let failures = 1;
    const { database, consumer, relay, commit } = await setUp((transport) =>
      Object.create(transport, {
        publish: {
          value: async (published: EventEnvelope[]) => {
            if (failures-- > 0) throw new Error("bus unreachable");
            await transport.publish(published);
          },
        },
      }),
    );
    const failed = [note("lost-1"), note("lost-2")];
    relay.committed(await commit(failed));
    await expect.poll(() => outboxSize(database)).toBe(2);
    // Handed over while the relay catches up: left in the table, behind the failed rows.
    const later = [note("later")];
    relay.committed(await commit(later));
    relay.notify();
    await expect.poll(() => consumer.ids()).toEqual([...failed, ...later].map((event) => event.id));
    expect(await outboxSize(database)).toBe(0);
  });
});

describe("idempotent inbox", () => {
  it("applies an event's effects once however often it is delivered, and retries after a failure", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-inbox-"));
    const { databases, database, transport } = await openAll(dataDir);
    try {
      let failNext = true;
      const handler = withInbox(database, "consumer-a", async (event, { transaction }) => {
        await transaction.insertInto("effects").values({ event_id: event.id }).execute();
        if (failNext) {
          failNext = false;
          throw new Error("handler failed after writing");
        }
      });
      const event = note("dup");
      const delivery = (receiveCount: number): Delivery => ({
        messageId: event.id,
        queue: "notes-test",
        event,
        receiveCount,
        extendVisibility: async () => {},
      });
      await expect(handler(delivery(1))).rejects.toThrow("handler failed after writing");
      await handler(delivery(2));
      await handler(delivery(3));
      await handler(delivery(4));
      const effects = await database.db.selectFrom("effects").select("event_id").execute();
      expect(effects).toEqual([{ event_id: event.id }]);

      const other = withInbox(database, "consumer-b", async (received, { transaction }) => {
        await transaction.insertInto("effects").values({ event_id: received.id }).execute();
      });
      await other(delivery(1));
      expect(await database.db.selectFrom("effects").select("event_id").execute()).toHaveLength(2);

      await expect(handler({ ...delivery(5), event: { ...event, id: "" } })).rejects.toThrow();
    } finally {
      await transport.close();
      await databases.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("inbox under a burst", () => {
  it("shares transactions across concurrent deliveries, and one failing event fails alone", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-inbox-"));
    const { databases, database, transport } = await openAll(dataDir);
    try {
      let runs = 0;
      const handler = withInbox(database, "burst", async (event, { transaction }) => {
        runs++;
        await transaction.insertInto("effects").values({ event_id: event.id }).execute();
        if ((event.detail as { body: string }).body === "bad") throw new Error("bad event");
      });
      const events = Array.from({ length: 20 }, (_, index) => note(`ok-${index}`));
      const bad = note("bad");
      const deliver = (event: EventEnvelope): Delivery => ({
        messageId: event.id,
        queue: "notes-test",
        event,
        receiveCount: 1,
        extendVisibility: async () => {},
      });
      const outcomes = await Promise.allSettled(
        [...events, events[0] as EventEnvelope, bad].map((e) => handler(deliver(e))),
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual([...Array(21).fill("fulfilled"), "rejected"]);
      const effects = await database.db.selectFrom("effects").select("event_id").execute();
      expect(effects.map((row) => row.event_id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(runs).toBeLessThan(2 * 21 + 2);
    } finally {
      await transport.close();
      await databases.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasPostgres)("outbox relays in several processes on PostgreSQL", () => {
  it("publish every event exactly once and hand over when one stops", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-relays-"));
    const service = `t_outbox_${path.basename(dataDir).slice(-6).toLowerCase()}`;
    const opened = await openAll(dataDir, externalServices.postgres.url);
    const otherProcess = await openDatabaseProvider({
      databaseUrl: externalServices.postgres.url,
      dataDir,
      logger,
    });
    const providers: DatabaseProvider[] = [opened.databases, otherProcess];
    try {
      const relays = [
        new OutboxRelay({ database: opened.database, transport: opened.transport, logger, batchSize: 50 }),
        new OutboxRelay({
          database: await otherProcess.forService(service),
          transport: opened.transport,
          logger,
          batchSize: 50,
        }),
      ];
      await Promise.all(relays.map((relay) => relay.start()));
      const consumer = await collect(opened.transport, "notes-test");
      const events = Array.from({ length: 1000 }, (_, index) => note(`n${index}`));
      for (let start = 0; start < 500; start += 100)
        await write(opened.database, events.slice(start, start + 100));
      await relays[0]?.stop();
      for (let start = 500; start < 1000; start += 100)
        await write(opened.database, events.slice(start, start + 100));
      await expect.poll(() => consumer.deliveries.length).toBe(1000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(new Set(consumer.ids()).size).toBe(1000);
      expect(consumer.deliveries.length).toBe(1000);
      await consumer.stop();
      await relays[1]?.stop();
    } finally {
      await opened.transport.close();
      for (const provider of providers) await provider.close();
      await dropServiceDatabases([service]);
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
