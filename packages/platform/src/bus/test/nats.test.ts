import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { benchNatsTransport, benchRawJetStream } from "../../../../../bench/nats-transport.ts";
import { silentLogger } from "../../log.ts";
import { externalServices, requireServer } from "../../testing/external-services.ts";
import { AttemptStore, noAttempts } from "../nats/attempts.ts";
import { createNatsTransport, removeNatsResources } from "../nats/index.ts";
import { natsNames } from "../nats/names.ts";
import type { Delivery, QueueConfig, Transport } from "../transport.ts";
import { type CrashChildOptions, crashChildEnv } from "./fixtures/crash-child.ts";
import { type CrashConsumerOptions, crashConsumerEnv } from "./fixtures/nats-crash-consumer.ts";
import { event } from "./test-event.ts";
import type { CrashChildMode } from "./transport-contract.ts";
import { describeTransportContract, expectNoLossAfterKill } from "./transport-contract.ts";
import { sleep, waitFor } from "./wait.ts";

const { url } = externalServices.nats;
const natsUp = await requireServer("nats");

const runId = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const prefixes: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), "mercato-nats-bus-"));

/** A prefix of its own for each transport, deleted with everything in it after the file. */
function newPrefix(): string {
  const prefix = `${runId}-${prefixes.length}`;
  prefixes.push(prefix);
  return prefix;
}

function open(prefix: string): Promise<Transport> {
  return createNatsTransport({ url, prefix, logger: silentLogger() });
}

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (natsUp) for (const prefix of prefixes) await removeNatsResources({ url, prefix });
});

if (!natsUp) {
  describe("NATS transport", () => {
    it.skip(`NATS JetStream is not reachable at ${url} (start it, or set CI=true to fail instead)`, () => {});
  });
} else {
  describeTransportContract("nats", { create: () => open(newPrefix()) });

  describe("NATS transport", () => {
    const queueDefaults: Omit<QueueConfig, "name"> = {
      visibilityTimeoutMs: 1_000,
      maxReceiveCount: 3,
      backoff: { baseMs: 20, maxMs: 100 },
    };

    it("routes events published in one process to a queue and rule declared in another", async () => {
      const prefix = newPrefix();
      const service = await open(prefix);
      const publisher = await open(prefix);
      try {
        await service.declareQueue({
          ...queueDefaults,
          name: "orders.fifo",
          fifo: { groupBy: "detail.orderId" },
        });
        await service.putRule({
          name: "placed/orders",
          eventPattern: { source: ["mercato.orders"] },
          queue: "orders.fifo",
        });
        const seen: Delivery[] = [];
        await service.consume("orders.fifo", async (delivery) => {
          seen.push(delivery);
        });
        await waitFor(
          async () => (await publisher.listRules()).length === 1,
          "the rule to reach the publisher",
        );

        const placed = event("mercato.orders", "OrderPlaced", { orderId: "o-1" });
        await publisher.publish([placed, event("mercato.cart", "CartItemAdded", {})]);

        await waitFor(() => seen.length === 1, "the routed event");
        expect(seen[0]).toMatchObject({ queue: "orders.fifo", groupId: "o-1", receiveCount: 1 });
        expect(seen[0]?.event).toEqual(placed);
        expect(await publisher.listRules()).toEqual([
          { name: "placed/orders", eventPattern: { source: ["mercato.orders"] }, queue: "orders.fifo" },
        ]);
        await expect(service.declareQueue({ ...queueDefaults, name: "orders.fifo" })).rejects.toThrow(
          /cannot change between standard and FIFO/,
        );
      } finally {
        await publisher.close();
        await service.close();
      }
    });

    it("applies a re-declared queue's visibility timeout and receive limit to its consumers", async () => {
      const prefix = newPrefix();
      const transport = await open(prefix);
      const nc = await connect({ servers: url });
      try {
        const fifo = { groupBy: "detail.orderId" };
        await transport.declareQueue({ ...queueDefaults, name: "tuned", fifo });
        await transport.declareQueue({
          ...queueDefaults,
          name: "tuned",
          fifo,
          visibilityTimeoutMs: 2_500,
          maxReceiveCount: 7,
        });

        const names = natsNames(prefix);
        const consumers = await (await jetstreamManager(nc)).consumers
          .list(names.queueStream("tuned"))
          .next();
        expect(consumers).toHaveLength(16);
        for (const consumer of consumers) {
          expect(consumer.config).toMatchObject({
            ack_wait: 2_500_000_000,
            max_deliver: 8,
            max_ack_pending: 1,
          });
        }
      } finally {
        await nc.close();
        await transport.close();
      }
    });

    it("redrives a FIFO dead letter back to its group", async () => {
      const transport = await open(newPrefix());
      try {
        await transport.declareQueue({
          ...queueDefaults,
          name: "fifo-redrive",
          maxReceiveCount: 1,
          fifo: { groupBy: "detail.orderId" },
        });
        await transport.putRule({
          name: "fifo-redrive",
          eventPattern: { source: ["mercato.fr"] },
          queue: "fifo-redrive",
        });
        let failing = true;
        const seen: Delivery[] = [];
        await transport.consume("fifo-redrive", async (delivery) => {
          seen.push(delivery);
          if (failing) throw new Error("down");
        });
        const placed = event("mercato.fr", "OrderPlaced", { orderId: "o-9" });
        await transport.publish([placed]);
        await waitFor(async () => (await transport.stats())[0]?.dlqDepth === 1, "the dead letter");
        failing = false;

        expect(await transport.redrive("fifo-redrive")).toBe(1);

        await waitFor(() => seen.length === 2, "the redriven message");
        expect(seen[1]).toMatchObject({ messageId: placed.id, groupId: "o-9", receiveCount: 1 });
        await waitFor(async () => (await transport.stats())[0]?.processed === 1, "its acknowledgement");
        expect((await transport.stats())[0]).toMatchObject({ depth: 0, inFlight: 0, dlqDepth: 0, failed: 1 });
      } finally {
        await transport.close();
      }
    });

    it("stores an event once per queue when a relay publishes it again", async () => {
      const transport = await open(newPrefix());
      try {
        await transport.declareQueue({ ...queueDefaults, name: "once" });
        await transport.putRule({ name: "once", eventPattern: { source: ["mercato.relay"] }, queue: "once" });
        const repeated = event("mercato.relay", "Relayed", {});

        await transport.publish([repeated]);
        await transport.publish([repeated]);

        const [stats] = await transport.stats();
        expect(stats).toMatchObject({ name: "once", depth: 1 });
      } finally {
        await transport.close();
      }
    });

    it("dead-letters a message whose receives all timed out, without running the handler again", async () => {
      const prefix = newPrefix();
      const transport = await open(prefix);
      const abandoned = await abandoner(prefix, "crashy");
      try {
        await transport.declareQueue({
          ...queueDefaults,
          name: "crashy",
          visibilityTimeoutMs: 200,
          maxReceiveCount: 2,
        });
        await transport.putRule({
          name: "crashy",
          eventPattern: { source: ["mercato.crashy"] },
          queue: "crashy",
        });
        const lost = event("mercato.crashy", "Lost", {});
        await transport.publish([lost]);
        // Two consumers that receive the message and die before answering.
        expect(await abandoned.receive(2, 250)).toEqual([1, 2]);
        const handled: Delivery[] = [];

        await transport.consume("crashy", async (delivery) => {
          handled.push(delivery);
        });

        await waitFor(async () => (await transport.deadLetters("crashy")).length === 1, "the dead letter");
        const [letter] = await transport.deadLetters("crashy");
        expect(letter).toMatchObject({ id: lost.id, event: lost, receiveCount: 2 });
        expect(letter?.attempts).toHaveLength(2);
        for (const attempt of letter?.attempts ?? [])
          expect(attempt.error).toMatch(/visibility timeout of 200 ms/);
        expect(handled).toEqual([]);
        expect((await transport.stats())[0]).toMatchObject({
          depth: 0,
          inFlight: 0,
          dlqDepth: 1,
          oldestAgeMs: 0,
        });
      } finally {
        await abandoned.close();
        await transport.close();
      }
    });

    it("moves a message the server stopped delivering, on its max-deliveries advisory", async () => {
      const prefix = newPrefix();
      const transport = await open(prefix);
      const abandoned = await abandoner(prefix, "exhausted");
      try {
        await transport.declareQueue({
          ...queueDefaults,
          name: "exhausted",
          visibilityTimeoutMs: 200,
          maxReceiveCount: 1,
        });
        await transport.putRule({
          name: "exhausted",
          eventPattern: { source: ["mercato.ex"] },
          queue: "exhausted",
        });
        const lost = event("mercato.ex", "Lost", {});
        await transport.publish([lost]);
        // Every allowed delivery (the handler's and the one that would dead-letter it) dies, so the
        // server gives up on the message; the next pull makes it announce that.
        expect(await abandoned.receive(2, 250)).toEqual([1, 2]);
        expect(await abandoned.receive(1, 0)).toEqual([]);

        await waitFor(async () => (await transport.deadLetters("exhausted")).length === 1, "the dead letter");
        const [letter] = await transport.deadLetters("exhausted");
        expect(letter).toMatchObject({ id: lost.id, receiveCount: 1 });
        await waitFor(async () => (await transport.stats())[0]?.oldestAgeMs === 0, "the queue to be empty");
      } finally {
        await abandoned.close();
        await transport.close();
      }
    });

    it("moves, when consuming starts, a message that was exhausted while no process listened", async () => {
      const prefix = newPrefix();
      const setup = await open(prefix);
      await setup.declareQueue({
        ...queueDefaults,
        name: "orphan",
        visibilityTimeoutMs: 200,
        maxReceiveCount: 1,
      });
      await setup.putRule({ name: "orphan", eventPattern: { source: ["mercato.orphan"] }, queue: "orphan" });
      const lost = event("mercato.orphan", "Lost", {});
      await setup.publish([lost]);
      await setup.close();
      const abandoned = await abandoner(prefix, "orphan");
      expect(await abandoned.receive(2, 250)).toEqual([1, 2]);
      expect(await abandoned.receive(1, 0)).toEqual([]);
      await abandoned.close();

      const transport = await open(prefix);
      try {
        await transport.consume("orphan", async () => {});
        expect((await transport.deadLetters("orphan")).map((letter) => letter.id)).toEqual([lost.id]);
        expect((await transport.stats())[0]).toMatchObject({
          depth: 0,
          inFlight: 0,
          oldestAgeMs: 0,
          dlqDepth: 1,
        });
      } finally {
        await transport.close();
      }
    });

    it("merges attempts that processes record from the same stale revision", async () => {
      const names = natsNames(newPrefix());
      const nc = await connect({ servers: url });
      try {
        const kv = await new Kvm(jetstream(nc)).create(names.attemptsBucket, { history: 1 });
        const store = new AttemptStore(kv, names);
        const at = new Date().toISOString();

        // The second receive fails; then the first receive's handler, which outlived its
        // visibility timeout, fails too: both started from nothing recorded.
        await store.record("q", 7, noAttempts, { receive: 2, at, error: "second" });
        const merged = await store.record("q", 7, noAttempts, { receive: 1, at, error: "first, late" });

        expect(merged.attempts.map((a) => a.error)).toEqual(["first, late", "second"]);
        expect((await store.read("q", 7)).attempts).toEqual(merged.attempts);
        const noted = await store.noteTimeouts("q", 7, 4, 250);
        expect(noted.attempts.map((a) => a.error)).toEqual([
          "first, late",
          "second",
          "no acknowledgement within the visibility timeout of 250 ms",
        ]);
        await store.clear("q", 7);
        expect((await store.read("q", 7)).attempts).toEqual([]);
        const again = await store.record("q", 7, noAttempts, { receive: 1, at, error: "after a clear" });
        expect(again.attempts).toHaveLength(1);
      } finally {
        await nc.close();
      }
    });

    it("waits for running handlers on close and acknowledges what they finished", async () => {
      const prefix = newPrefix();
      const transport = await open(prefix);
      await transport.declareQueue({ ...queueDefaults, name: "closing" });
      await transport.putRule({
        name: "closing",
        eventPattern: { source: ["mercato.closing"] },
        queue: "closing",
      });
      let started = false;
      let finished = false;
      await transport.consume("closing", async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await transport.publish([event("mercato.closing", "Slow", {})]);
      await waitFor(() => started, "the handler to start");

      await transport.close();

      expect(finished).toBe(true);
      const reopened = await open(prefix);
      try {
        expect((await reopened.stats())[0]).toMatchObject({ depth: 0, inFlight: 0, oldestAgeMs: 0 });
      } finally {
        await reopened.close();
      }
    });

    it("handles every published event at least once when its consumer process is killed mid-stream", async () => {
      const prefix = newPrefix();
      const transport = await open(prefix);
      const dir = mkdtempSync(join(scratch, "consumer-crash-"));
      const handledFile = join(dir, "handled.txt");
      const total = 2_000;
      const children: ChildProcess[] = [];
      try {
        await transport.declareQueue({ ...queueDefaults, name: "crash", maxReceiveCount: 100 });
        await transport.putRule({
          name: "crash",
          eventPattern: { source: ["mercato.crash"] },
          queue: "crash",
        });
        const events = Array.from({ length: total }, (_, n) => event("mercato.crash", "Crashed", { n }));
        for (let first = 0; first < total; first += 500)
          await transport.publish(events.slice(first, first + 500));
        const options: CrashConsumerOptions = { url, prefix, queue: "crash", handledFile, handlerDelayMs: 5 };
        const startConsumer = () => {
          const child = spawnFixture("nats-crash-consumer.ts", {
            [crashConsumerEnv]: JSON.stringify(options),
          });
          children.push(child);
          return child;
        };

        const first = startConsumer();
        await waitFor(() => readLines(handledFile).length >= total / 4, "the first consumer to get going");
        await killHard(first);
        const handledBeforeKill = new Set(readLines(handledFile)).size;
        startConsumer();
        await waitFor(
          () => new Set(readLines(handledFile)).size === total,
          "every event to be handled after the restart",
        );

        expect(handledBeforeKill).toBeLessThan(total);
        const handled = new Set(readLines(handledFile));
        expect(events.filter((e) => !handled.has(e.id))).toEqual([]);
      } finally {
        for (const child of children) await killHard(child);
        await transport.close();
      }
    });

    it("loses no acknowledged publish when a publishing and consuming process is killed", async () => {
      const prefix = newPrefix();
      const dir = mkdtempSync(join(scratch, "crash-"));
      const files = { publishedFile: join(dir, "published.txt"), handledFile: join(dir, "handled.txt") };
      const startChild = (mode: CrashChildMode) => {
        const options: CrashChildOptions = { ...files, mode, events: 5_000, runId };
        return spawnFixture("nats-crash-child.ts", {
          [crashChildEnv]: JSON.stringify(options),
          BUS_URL: url,
          MERCATO_BUS_PREFIX: prefix,
        });
      };

      const outcome = await expectNoLossAfterKill({ ...files, startChild, events: 5_000 });

      expect(outcome.published).toBeGreaterThan(0);
    });

    it("measures the transport beside bare JetStream", async () => {
      const options = { url, events: 2_000, payloadBytes: 256 };
      const raw = await benchRawJetStream(options);
      const transport = await benchNatsTransport(options);

      expect(raw.eventsPerSecond).toBeGreaterThan(0);
      expect(transport.eventsPerSecond).toBeGreaterThan(0);
      expect(transport.p50Ms).toBeGreaterThan(0);
      expect(transport.p99Ms).toBeGreaterThanOrEqual(transport.p50Ms);
    });
  });
}

/**
 * A bare JetStream client on a queue's consumer that takes messages and never answers, as a
 * process that dies right after receiving would.
 */
async function abandoner(prefix: string, queue: string) {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const names = natsNames(prefix);
  return {
    /** Pulls `times` times, `gapMs` apart; returns the delivery count of each message received. */
    async receive(times: number, gapMs: number): Promise<number[]> {
      const consumer = await jsm.jetstream().consumers.get(names.queueStream(queue), names.consumerName());
      const counts: number[] = [];
      for (let i = 0; i < times; i++) {
        if (i > 0) await sleep(gapMs);
        const message = await consumer.next({ expires: 1_000 });
        if (message) counts.push(message.info.deliveryCount);
      }
      return counts;
    },
    close: () => nc.close(),
  };
}

function spawnFixture(script: string, env: Record<string, string>): ChildProcess {
  const path = fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url));
  return spawn(process.execPath, ["--import", "tsx", path], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  lines.pop(); // empty after the last newline, or a line cut short by the kill
  return lines;
}
