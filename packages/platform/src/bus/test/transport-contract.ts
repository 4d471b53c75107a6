import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { EventEnvelope } from "@mercato/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidPatternError } from "../patterns/index.ts";
import type { Delivery, Handler, QueueConfig, QueueStats, Rule, Transport } from "../transport.ts";
import { event } from "./test-event.ts";
import { sleep, waitFor } from "./wait.ts";

export interface TransportContractSetup {
  /** A fresh transport for one test; it is closed after the test. */
  create(): Promise<Transport>;
  /**
   * Where SQS itself behaves otherwise (the aws transport, see bus/aws/README.md); absent for the
   * transports that keep the embedded bus's semantics exactly.
   * - `heartbeat`: the transport extends a running handler's visibility by itself, so a handler
   *   slower than the visibility timeout keeps its message: the visibility test checks that instead
   *   of a redelivery.
   * - `knowsOldestWaitingAge: false`: SQS reports the age of its oldest message only to CloudWatch,
   *   so the stats test does not expect the age of messages no consumer has received yet.
   * - `receivesOneAtATime`: the SQS emulator's receives of a queue run one after the other (see
   *   bus/aws/README.md), and a FIFO consumer takes one message per receive, so the 10 ms handlers
   *   of two groups seldom overlap: the FIFO test does not require that they did (that the groups
   *   go on while one is blocked it still checks).
   */
  sqs?: { heartbeat: true; knowsOldestWaitingAge: false; receivesOneAtATime?: true };
  /** Events of the bulk test (2,000 unless set): an emulator slow per message may need fewer. */
  bulkEvents?: number;
}

/**
 * The behaviour every transport owes its users (SQS-like queues fed by EventBridge-like rules).
 * Tests use only the `Transport` interface, a unique source and unique queue and rule names, so
 * they can share one broker, and short timeouts, so the whole suite runs in seconds.
 */
export function describeTransportContract(name: string, setup: TransportContractSetup): void {
  describe(`${name} transport contract`, () => {
    let transport: Transport;
    let names: TestNames;
    const bulk = setup.bulkEvents ?? 2_000;

    beforeEach(async () => {
      transport = await setup.create();
      names = testNames();
    });

    afterEach(async () => {
      await transport.close();
    });

    it("routes an event to the queue of every matching rule, once per queue", async () => {
      const orders = await declare(transport, names.queue("orders"));
      const bigOrders = await declare(transport, names.queue("big"));
      await transport.putRule(
        rule(names.rule("placed"), { source: [names.source], "detail-type": ["OrderPlaced"] }, orders),
      );
      // A second rule of the same queue that matches the same events must not duplicate them.
      await transport.putRule(
        rule(names.rule("all"), { source: [names.source], detail: { total: [{ exists: true }] } }, orders),
      );
      await transport.putRule(
        rule(
          names.rule("big"),
          { source: [names.source], detail: { total: [{ numeric: [">", 100] }] } },
          bigOrders,
        ),
      );
      const small = event(names.source, "OrderPlaced", { total: 50 });
      const big = event(names.source, "OrderPlaced", { total: 500 });
      const unrouted = event(names.source, "PaymentDeclined", { reason: "card" });
      const elsewhere = event(`${names.source}-other`, "OrderPlaced", { total: 500 });
      const ordersSeen = collect();
      const bigSeen = collect();
      await transport.consume(orders, ordersSeen.handler, { concurrency: 4 });
      await transport.consume(bigOrders, bigSeen.handler, { concurrency: 4 });

      await transport.publish([small, big, unrouted, elsewhere]);

      await waitFor(
        () => ordersSeen.deliveries.length >= 2 && bigSeen.deliveries.length >= 1,
        "routed deliveries",
      );
      await sleep(300);
      expect(ordersSeen.eventIds().sort()).toEqual([small.id, big.id].sort());
      expect(bigSeen.eventIds()).toEqual([big.id]);
    });

    it("creates, replaces, lists and deletes rules by name", async () => {
      const queue = await declare(transport, names.queue("rules"));
      const ruleName = names.rule("r");
      await transport.putRule(rule(ruleName, { source: [names.source], "detail-type": ["A"] }, queue));
      await transport.putRule(rule(ruleName, { source: [names.source], "detail-type": ["B"] }, queue));
      const listed = (await transport.listRules()).filter((r) => r.name === ruleName);
      expect(listed).toEqual([rule(ruleName, { source: [names.source], "detail-type": ["B"] }, queue)]);
      const seen = collect();
      await transport.consume(queue, seen.handler);

      const a = event(names.source, "A", {});
      const b = event(names.source, "B", {});
      await transport.publish([a, b]);
      await waitFor(() => seen.deliveries.length >= 1, "the event of the replaced rule");
      await transport.deleteRule(ruleName);
      await transport.publish([event(names.source, "B", {})]);
      await sleep(300);

      expect(seen.eventIds()).toEqual([b.id]);
      expect((await transport.listRules()).some((r) => r.name === ruleName)).toBe(false);
    });

    it("rejects an invalid event pattern with InvalidPatternError and keeps no rule", async () => {
      const queue = await declare(transport, names.queue("invalid"));
      const ruleName = names.rule("bad");
      await expect(
        transport.putRule(rule(ruleName, { source: "not-an-array" }, queue)),
      ).rejects.toBeInstanceOf(InvalidPatternError);
      await expect(
        transport.putRule(rule(ruleName, { detail: { total: [{ numeric: [">", "ten"] }] } }, queue)),
      ).rejects.toBeInstanceOf(InvalidPatternError);
      expect((await transport.listRules()).some((r) => r.name === ruleName)).toBe(false);
    });

    it("delivers each message with its event and acknowledges it when the handler resolves", async () => {
      const queue = await declare(transport, names.queue("ack"), { visibilityTimeoutMs: 300 });
      await routeAll(transport, names, queue);
      const seen = collect();
      await transport.consume(queue, seen.handler, { concurrency: 2 });
      const events = [1, 2, 3].map((n) => event(names.source, "Numbered", { n }));

      await transport.publish(events);

      await waitFor(() => seen.deliveries.length >= 3, "three deliveries");
      await sleep(600); // two visibility timeouts: an acknowledged message must not come back
      expect(seen.deliveries).toHaveLength(3);
      for (const delivery of seen.deliveries) {
        expect(delivery.queue).toBe(queue);
        expect(delivery.receiveCount).toBe(1);
        expect(typeof delivery.messageId).toBe("string");
        expect(delivery.event).toEqual(events.find((e) => e.id === delivery.event.id));
      }
      expect(new Set(seen.deliveries.map((d) => d.messageId)).size).toBe(3);
      expect(await queueStats(transport, queue)).toMatchObject({ depth: 0, inFlight: 0, delayed: 0 });
    });

    // One of the two visibility behaviours, by transport: registered only where it applies, so that
    // no test is reported skipped.
    if (!setup.sqs?.heartbeat)
      it("delivers a message again when its handler outlives the visibility timeout", async () => {
        const queue = await declare(transport, names.queue("visibility"), { visibilityTimeoutMs: 300 });
        await routeAll(transport, names, queue);
        const starts: Array<{ delivery: Delivery; at: number }> = [];
        await transport.consume(
          queue,
          async (delivery) => {
            starts.push({ delivery, at: Date.now() });
            if (delivery.receiveCount === 1) await sleep(900);
          },
          { concurrency: 2 },
        );

        await transport.publish([event(names.source, "Slow", {})]);

        await waitFor(() => starts.length >= 2, "the redelivery");
        const [first, second] = starts as [(typeof starts)[0], (typeof starts)[0]];
        expect(second.delivery.messageId).toBe(first.delivery.messageId);
        expect(second.delivery.receiveCount).toBe(2);
        expect(second.at - first.at).toBeGreaterThanOrEqual(250);
        // The first handler acknowledges late, after the redelivery was acknowledged: nothing breaks.
        await sleep(1_000);
        expect(starts).toHaveLength(2);
        expect(await queueStats(transport, queue)).toMatchObject({
          depth: 0,
          inFlight: 0,
          delayed: 0,
          dlqDepth: 0,
        });
      });

    if (setup.sqs?.heartbeat)
      it("keeps a handler's message invisible while it runs past the visibility timeout", async () => {
        const queue = await declare(transport, names.queue("heartbeat"), { visibilityTimeoutMs: 300 });
        await routeAll(transport, names, queue);
        const starts: Delivery[] = [];
        let finished = false;
        await transport.consume(queue, async (delivery) => {
          starts.push(delivery);
          await sleep(2_500);
          finished = true;
        });

        await transport.publish([event(names.source, "Slow", {})]);

        await waitFor(() => finished, "the slow handler");
        await sleep(1_200);
        expect(starts.map((delivery) => delivery.receiveCount)).toEqual([1]);
        expect(await queueStats(transport, queue)).toMatchObject({ depth: 0, inFlight: 0, processed: 1 });
      });

    it("keeps a slow handler's message invisible while it extends the visibility timeout", async () => {
      const queue = await declare(transport, names.queue("extend"), { visibilityTimeoutMs: 300 });
      await routeAll(transport, names, queue);
      let deliveries = 0;
      let finished = false;
      await transport.consume(queue, async (delivery) => {
        deliveries++;
        await delivery.extendVisibility(2_000);
        await sleep(900);
        finished = true;
      });

      await transport.publish([event(names.source, "Slow", {})]);

      await waitFor(() => finished, "the slow handler");
      await sleep(400);
      expect(deliveries).toBe(1);
      expect(await queueStats(transport, queue)).toMatchObject({ depth: 0, inFlight: 0, processed: 1 });
    });

    it("retries a failing message after delays that grow with the receive count", async () => {
      const baseMs = 100;
      // The backoff's draw pinned to its top: each retry waits its whole ceiling (100, 200, 400 ms),
      // a lower bound that a slow machine can only exceed, never break (the draw itself is
      // retryDelayMs's, unit-tested in backoff.test.ts). Only that draw: the NATS client draws too.
      const draw = Math.random;
      const random = vi
        .spyOn(Math, "random")
        .mockImplementation(() => (new Error().stack?.includes("retryDelayMs") ? 0.999_999 : draw()));
      try {
        const queue = await declare(transport, names.queue("backoff"), {
          maxReceiveCount: 4,
          backoff: { baseMs, maxMs: 1_000 },
        });
        await routeAll(transport, names, queue);
        const receivedAt = new Map<string, number[]>();
        await transport.consume(
          queue,
          async (delivery) => {
            const times = receivedAt.get(delivery.messageId) ?? [];
            times.push(Date.now());
            receivedAt.set(delivery.messageId, times);
            throw new Error(`attempt ${delivery.receiveCount}`);
          },
          { concurrency: 20 },
        );

        await transport.publish(Array.from({ length: 20 }, (_, n) => event(names.source, "Failing", { n })));

        await waitFor(async () => (await queueStats(transport, queue)).dlqDepth === 20, "20 dead letters");
        const gaps: number[][] = [[], [], []];
        for (const times of receivedAt.values()) {
          expect(times).toHaveLength(4);
          for (let i = 0; i < 3; i++) gaps[i]?.push((times[i + 1] as number) - (times[i] as number));
        }
        // 2 ms for clocks that tick in whole milliseconds on both sides of a gap.
        gaps.forEach((retryGaps, i) => {
          for (const gap of retryGaps) expect(gap).toBeGreaterThanOrEqual(baseMs * 2 ** i - 2);
        });
      } finally {
        random.mockRestore();
      }
    });

    it("dead-letters a message after maxReceiveCount failures, keeping every attempt's error", async () => {
      const queue = await declare(transport, names.queue("dlq"), { maxReceiveCount: 3 });
      await routeAll(transport, names, queue);
      const seen = collect((delivery) => {
        throw new Error(`boom ${delivery.receiveCount}`);
      });
      await transport.consume(queue, seen.handler);
      const poison = event(names.source, "Poison", { n: 1 });

      await transport.publish([poison]);

      await waitFor(async () => (await queueStats(transport, queue)).dlqDepth === 1, "the dead letter");
      const letters = await transport.deadLetters(queue);
      expect(letters).toHaveLength(1);
      const [letter] = letters as [(typeof letters)[0]];
      expect(letter.id).toBe(seen.deliveries[0]?.messageId);
      expect(letter.event).toEqual(poison);
      expect(letter.receiveCount).toBe(3);
      expect(letter.attempts.map((a) => a.error)).toEqual(["boom 1", "boom 2", "boom 3"]);
      expect(letter.lastError).toBe("boom 3");
      expect(letter.firstFailedAt).toBe(letter.attempts[0]?.at);
      for (const attempt of letter.attempts) expect(Number.isNaN(Date.parse(attempt.at))).toBe(false);
      await sleep(200);
      expect(seen.deliveries.map((d) => d.receiveCount)).toEqual([1, 2, 3]);
      expect(await queueStats(transport, queue)).toMatchObject({
        depth: 0,
        inFlight: 0,
        delayed: 0,
        failed: 3,
      });
    });

    it("records a database error's code and statement with a dead letter, never its values", async () => {
      const queue = await declare(transport, names.queue("dberror"), { maxReceiveCount: 1 });
      await routeAll(transport, names, queue);
      const secret = "scrypt$15$8$1$c2FsdA$a2V5";
      // What PGlite throws: the parameters ride on the error, the value is quoted in the message.
      const seen = collect(() => {
        throw Object.assign(new Error(`invalid input syntax for type uuid: "${secret}"`), {
          code: "22P02",
          severity: "ERROR",
          query: 'insert into "users" ("id") values ($1)',
          params: [secret],
        });
      });
      await transport.consume(queue, seen.handler);
      await transport.publish([event(names.source, "Failing", { n: 1 })]);

      await waitFor(async () => (await queueStats(transport, queue)).dlqDepth === 1, "the dead letter");
      const [letter] = await transport.deadLetters(queue);
      expect(letter?.lastError).toBe(
        'invalid input syntax for type uuid: [value hidden] (SQLSTATE 22P02, insert into "users")',
      );
      expect(JSON.stringify(letter)).not.toContain(secret);
    });

    it("redrives chosen dead letters, then all of them, with a fresh receive count", async () => {
      const queue = await declare(transport, names.queue("redrive"), { maxReceiveCount: 1 });
      await routeAll(transport, names, queue);
      let failing = true;
      const seen = collect(() => {
        if (failing) throw new Error("down");
      });
      await transport.consume(queue, seen.handler, { concurrency: 3 });
      const events = [1, 2, 3].map((n) => event(names.source, "Redriven", { n }));
      await transport.publish(events);
      await waitFor(async () => (await queueStats(transport, queue)).dlqDepth === 3, "three dead letters");
      const letters = await transport.deadLetters(queue);
      expect(letters.map((l) => l.event.id).sort()).toEqual(events.map((e) => e.id).sort());
      failing = false;
      seen.deliveries.length = 0;
      const chosen = letters[1] as (typeof letters)[0];

      expect(await transport.redrive(queue, [chosen.id, "no-such-message"])).toBe(1);
      await waitFor(() => seen.deliveries.length >= 1, "the redriven message");
      expect(seen.deliveries[0]).toMatchObject({ messageId: chosen.id, receiveCount: 1 });
      expect(seen.deliveries[0]?.event).toEqual(chosen.event);
      expect((await transport.deadLetters(queue)).map((l) => l.id).sort()).toEqual(
        letters
          .filter((l) => l.id !== chosen.id)
          .map((l) => l.id)
          .sort(),
      );

      expect(await transport.redrive(queue)).toBe(2);
      await waitFor(() => seen.deliveries.length >= 3, "every redriven message");
      await sleep(200);
      expect(seen.eventIds().sort()).toEqual(events.map((e) => e.id).sort());
      expect(await transport.deadLetters(queue)).toEqual([]);
      expect(await queueStats(transport, queue)).toMatchObject({ dlqDepth: 0, depth: 0, inFlight: 0 });
    });

    it("purges a queue's messages but not its dead letters", async () => {
      const queue = await declare(transport, names.queue("purge"), { maxReceiveCount: 1 });
      await deadLetterOne(transport, names, queue);
      await transport.publish(Array.from({ length: 5 }, (_, n) => event(names.source, "Waiting", { n })));
      await waitFor(async () => (await queueStats(transport, queue)).depth === 5, "five waiting messages");

      expect(await transport.purge(queue)).toBe(5);

      expect(await queueStats(transport, queue)).toMatchObject({
        depth: 0,
        inFlight: 0,
        delayed: 0,
        dlqDepth: 1,
      });
      const seen = collect();
      await transport.consume(queue, seen.handler);
      await sleep(300);
      expect(seen.deliveries).toEqual([]);
      expect(await transport.deadLetters(queue)).toHaveLength(1);
    });

    it("deletes a queue with its messages and dead letters, once no rule targets it, after its handlers finish", async () => {
      const queue = await declare(transport, names.queue("deleted"), { maxReceiveCount: 1 });
      await deadLetterOne(transport, names, queue);
      await transport.publish([
        event(names.source, "Waiting", { n: 1 }),
        event(names.source, "Waiting", { n: 2 }),
      ]);
      await waitFor(async () => (await queueStats(transport, queue)).depth === 2, "two waiting messages");
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const held = collect();
      await transport.consume(
        queue,
        async (delivery) => {
          await held.handler(delivery);
          await gate;
        },
        { concurrency: 1 },
      );
      await waitFor(() => held.deliveries.length === 1, "a message held by its handler");

      await expect(transport.deleteQueue(queue)).rejects.toThrow(/delete the rule first/);
      await transport.deleteRule(names.rule(`all-${queue}`));
      const deleting = transport.deleteQueue(queue);
      release();
      await deleting;
      await transport.deleteQueue(queue);

      expect((await transport.stats()).map((stats) => stats.name)).not.toContain(queue);
      await expect(transport.consume(queue, held.handler)).rejects.toThrow(/not declared/);
      await declare(transport, queue);
      await routeAll(transport, names, queue);
      expect(await transport.deadLetters(queue)).toEqual([]);
      const fresh = collect();
      await transport.consume(queue, fresh.handler);
      const after = event(names.source, "After", {});
      await transport.publish([after]);
      await waitFor(() => fresh.deliveries.length === 1, "the event published after the queue came back");
      await sleep(300);
      expect(fresh.eventIds()).toEqual([after.id]);
      expect(held.deliveries).toHaveLength(1);
    });

    it("FIFO: delivers a group's messages one at a time in order; a failing head blocks only its group", async () => {
      const queue = await declare(transport, names.queue("fifo"), {
        maxReceiveCount: 8,
        backoff: { baseMs: 20, maxMs: 40 },
        fifo: { groupBy: "detail.orderId" },
      });
      await routeAll(transport, names, queue);
      const groups = ["A", "B", "C"];
      const events = groups.flatMap((group) =>
        [1, 2, 3, 4].map((n) => event(names.source, "Sequenced", { orderId: group, n })),
      );
      // Interleave the groups in publish order: A1 B1 C1 A2 B2 C2 ...
      const published = [0, 1, 2, 3].flatMap((i) => groups.map((_, g) => events[g * 4 + i] as EventEnvelope));
      const started: Record<string, number[]> = { A: [], B: [], C: [] };
      const succeeded: Record<string, number[]> = { A: [], B: [], C: [] };
      const running: Record<string, number> = { A: 0, B: 0, C: 0 };
      let maxRunningPerGroup = 0;
      let maxRunning = 0;
      let a2FailuresBeforeBDone = 0;
      let wrongGroupIds = 0;
      await transport.consume(
        queue,
        async (delivery) => {
          const { orderId, n } = delivery.event.detail as { orderId: string; n: number };
          if (delivery.groupId !== orderId) wrongGroupIds++;
          running[orderId] = (running[orderId] ?? 0) + 1;
          maxRunningPerGroup = Math.max(maxRunningPerGroup, running[orderId] ?? 0);
          maxRunning = Math.max(
            maxRunning,
            Object.values(running).reduce((a, b) => a + b, 0),
          );
          started[orderId]?.push(n);
          try {
            await sleep(10);
            // A2 fails until group B is done: B must not wait for A.
            if (orderId === "A" && n === 2 && (succeeded.B?.length ?? 0) < 4) {
              a2FailuresBeforeBDone++;
              throw new Error("A2 not yet");
            }
            if (orderId === "C" && n === 1) throw new Error("C1 always fails");
            succeeded[orderId]?.push(n);
          } finally {
            running[orderId] = (running[orderId] ?? 0) - 1;
          }
        },
        { concurrency: 4 },
      );

      await transport.publish(published);

      await waitFor(
        () => succeeded.A?.length === 4 && succeeded.B?.length === 4 && succeeded.C?.length === 3,
        "every group to finish",
      );
      expect(succeeded).toEqual({ A: [1, 2, 3, 4], B: [1, 2, 3, 4], C: [2, 3, 4] });
      expect(wrongGroupIds).toBe(0);
      // With one receive at a time, B can finish before A2 is first received: then nothing
      // blocked B, which is what this asserts, but A2 had no turn to fail first.
      if (!setup.sqs?.receivesOneAtATime) expect(a2FailuresBeforeBDone).toBeGreaterThanOrEqual(1);
      expect(collapseRepeats(started.A ?? [])).toEqual([1, 2, 3, 4]);
      expect(collapseRepeats(started.C ?? [])).toEqual([1, 2, 3, 4]);
      expect(maxRunningPerGroup).toBe(1);
      if (!setup.sqs?.receivesOneAtATime) expect(maxRunning).toBeGreaterThanOrEqual(2);
      const letters = await transport.deadLetters(queue);
      expect(letters.map((l) => l.event.detail)).toEqual([{ orderId: "C", n: 1 }]);
      expect(letters[0]?.attempts).toHaveLength(8);
    });

    it("reports depth, inFlight, delayed, dlqDepth, oldestAgeMs, processed and failed", async () => {
      const queue = await declare(transport, names.queue("stats"), {
        maxReceiveCount: 2,
        // A retry delay drawn from [0, 1 h]: the failed message stays delayed during the test.
        backoff: { baseMs: 3_600_000, maxMs: 3_600_000 },
      });
      const doomed = await declare(transport, names.queue("stats-dlq"), { maxReceiveCount: 1 });
      await transport.putRule(
        rule(names.rule("stats"), { source: [names.source], "detail-type": ["Counted"] }, queue),
      );
      await transport.putRule(
        rule(names.rule("doomed"), { source: [names.source], "detail-type": ["Doomed"] }, doomed),
      );
      expect(await queueStats(transport, queue)).toEqual({
        name: queue,
        depth: 0,
        inFlight: 0,
        delayed: 0,
        dlqDepth: 0,
        oldestAgeMs: 0,
        processed: 0,
        failed: 0,
      });

      const publishedAt = Date.now();
      await transport.publish([1, 2, 3].map((n) => event(names.source, "Counted", { n })));
      await waitFor(async () => (await queueStats(transport, queue)).depth === 3, "three waiting messages");
      await sleep(120);
      const waiting = await queueStats(transport, queue);
      expect(waiting).toMatchObject({ depth: 3, inFlight: 0, delayed: 0, processed: 0, failed: 0 });
      if (!setup.sqs) expect(waiting.oldestAgeMs).toBeGreaterThanOrEqual(100);
      // No older than the test's own messages, however long the machine took (1 ms of rounding).
      expect(waiting.oldestAgeMs).toBeLessThanOrEqual(Date.now() - publishedAt + 1);

      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      await transport.consume(
        queue,
        async (delivery) => {
          const { n } = delivery.event.detail as { n: number };
          if (n === 2) await released;
          if (n === 3) throw new Error("later");
        },
        { concurrency: 3 },
      );
      await waitFor(async () => {
        const s = await queueStats(transport, queue);
        return s.processed === 1 && s.failed === 1 && s.inFlight === 1 && s.delayed === 1;
      }, "one processed, one in flight, one delayed");
      expect(await queueStats(transport, queue)).toMatchObject({
        depth: 0,
        inFlight: 1,
        delayed: 1,
        dlqDepth: 0,
      });

      release();
      await waitFor(async () => (await queueStats(transport, queue)).processed === 2, "the released message");
      expect(await queueStats(transport, queue)).toMatchObject({
        depth: 0,
        inFlight: 0,
        delayed: 1,
        failed: 1,
      });

      await transport.consume(doomed, async () => {
        throw new Error("never");
      });
      await transport.publish([event(names.source, "Doomed", {})]);
      await waitFor(async () => (await queueStats(transport, doomed)).dlqDepth === 1, "the dead letter");
      expect(await queueStats(transport, doomed)).toEqual({
        name: doomed,
        depth: 0,
        inFlight: 0,
        delayed: 0,
        dlqDepth: 1,
        oldestAgeMs: 0,
        processed: 0,
        failed: 1,
      });
    });

    it(`delivers ${bulk.toLocaleString("en-US")} published events exactly once each when handlers succeed`, async () => {
      const queue = await declare(transport, names.queue("bulk"), { visibilityTimeoutMs: 30_000 });
      await routeAll(transport, names, queue);
      const counts = new Map<string, number>();
      await transport.consume(
        queue,
        async (delivery) => {
          counts.set(delivery.event.id, (counts.get(delivery.event.id) ?? 0) + 1);
        },
        { concurrency: 32 },
      );
      const events = Array.from({ length: bulk }, (_, n) => event(names.source, "Bulk", { n }));

      await Promise.all(
        Array.from({ length: 10 }, (_, batch) =>
          transport.publish(events.slice((batch * bulk) / 10, ((batch + 1) * bulk) / 10)),
        ),
      );

      await waitFor(() => counts.size === bulk, "every delivery");
      await sleep(300);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      expect(counts.size).toBe(bulk);
      await waitFor(
        async () => (await queueStats(transport, queue)).processed === bulk,
        "every acknowledgement",
      );
      expect(await queueStats(transport, queue)).toMatchObject({
        depth: 0,
        inFlight: 0,
        processed: bulk,
        failed: 0,
      });
    });
  });
}

/** The files a crash-test child writes, one event id a line. */
export interface CrashFiles {
  /** Ids of every event whose publish resolved (acknowledged by the transport). */
  publishedFile: string;
  /** Ids of every event a handler saw, appended before the handler returned. */
  handledFile: string;
}

export type CrashChildMode = "publish-and-consume" | "consume";

export interface CrashScenario extends CrashFiles {
  /** Starts a child process running `runCrashChild` (see fixtures/crash-child.ts) in this mode. */
  startChild(mode: CrashChildMode): ChildProcess;
  /** Events the first child publishes. */
  events: number;
  /** The first child is killed once this many events are published. Default: a third. */
  killAfterPublished?: number;
  /** How long the second child may take to handle every published event. Default: waitFor's. */
  recoveryTimeoutMs?: number;
}

export interface CrashOutcome {
  published: number;
  handledBeforeKill: number;
  /** Ids handled more than once across both runs: redeliveries, allowed at least once. */
  duplicates: number;
}

/**
 * "No loss after a kill -9 of a consumer process mid-stream": kills the first child with SIGKILL
 * while it publishes and consumes, starts a second child that only consumes, and expects every
 * id whose publish was acknowledged to have been handled at least once.
 */
export async function expectNoLossAfterKill(scenario: CrashScenario): Promise<CrashOutcome> {
  const killAfter = scenario.killAfterPublished ?? Math.floor(scenario.events / 3);
  const first = scenario.startChild("publish-and-consume");
  const firstOutput = captureOutput(first);
  try {
    await waitFor(() => {
      if (first.exitCode !== null)
        throw new Error(`the first child exited early (${first.exitCode}): ${firstOutput()}`);
      return readIds(scenario.publishedFile).length >= killAfter && readIds(scenario.handledFile).length > 0;
    }, "the first child to publish and handle events");
  } finally {
    // Killed whatever happened: a failed wait must not leave the child running.
    await killHard(first);
  }
  const published = readIds(scenario.publishedFile);
  const handledBeforeKill = readIds(scenario.handledFile).length;
  expect(published.length).toBeLessThan(scenario.events);

  const second = scenario.startChild("consume");
  const secondOutput = captureOutput(second);
  try {
    await waitFor(
      () => {
        if (second.exitCode !== null) {
          throw new Error(`the second child exited (${second.exitCode}): ${secondOutput()}`);
        }
        const handled = new Set(readIds(scenario.handledFile));
        return published.every((id) => handled.has(id));
      },
      "every acknowledged publish to be handled after the restart",
      scenario.recoveryTimeoutMs,
    );
  } finally {
    await killHard(second);
  }
  const handled = readIds(scenario.handledFile);
  const handledSet = new Set(handled);
  expect(published.filter((id) => !handledSet.has(id))).toEqual([]);
  return { published: published.length, handledBeforeKill, duplicates: handled.length - handledSet.size };
}

function readIds(file: string): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  lines.pop(); // empty after the last newline, or a line cut short by the kill
  return lines.filter((line) => line.length > 0);
}

function captureOutput(child: ChildProcess): () => string {
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return () => output.slice(-4_000);
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

interface TestNames {
  source: string;
  queue(label: string): string;
  rule(label: string): string;
}

function testNames(): TestNames {
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    source: `mercato.contract-${suffix}`,
    queue: (label) => `contract-${label}-${suffix}`,
    rule: (label) => `contract-${label}-${suffix}`,
  };
}

const defaultQueue: Omit<QueueConfig, "name"> = {
  visibilityTimeoutMs: 1_000,
  maxReceiveCount: 5,
  backoff: { baseMs: 20, maxMs: 200 },
};

async function declare(
  transport: Transport,
  name: string,
  settings: Partial<QueueConfig> = {},
): Promise<string> {
  await transport.declareQueue({ ...defaultQueue, ...settings, name });
  return name;
}

function rule(name: string, eventPattern: Rule["eventPattern"], queue: string): Rule {
  return { name, eventPattern, queue };
}

/** Routes every event of this test's source to the queue. */
async function routeAll(transport: Transport, names: TestNames, queue: string): Promise<void> {
  await transport.putRule(rule(names.rule(`all-${queue}`), { source: [names.source] }, queue));
}

/** Routes every event of this test's source to the queue (of maxReceiveCount 1) and dead-letters one. */
async function deadLetterOne(transport: Transport, names: TestNames, queue: string): Promise<void> {
  await routeAll(transport, names, queue);
  const failing = await transport.consume(queue, async () => {
    throw new Error("dead");
  });
  await transport.publish([event(names.source, "Dead", {})]);
  await waitFor(async () => (await queueStats(transport, queue)).dlqDepth === 1, "the dead letter");
  await failing.stop();
}

function collect(behaviour: (delivery: Delivery) => void = () => {}): {
  deliveries: Delivery[];
  handler: Handler;
  eventIds(): string[];
} {
  const deliveries: Delivery[] = [];
  return {
    deliveries,
    handler: async (delivery) => {
      deliveries.push(delivery);
      behaviour(delivery);
    },
    eventIds: () => deliveries.map((d) => d.event.id),
  };
}

async function queueStats(transport: Transport, queue: string): Promise<QueueStats> {
  const stats = (await transport.stats()).find((s) => s.name === queue);
  if (!stats) throw new Error(`no stats for queue ${queue}`);
  return stats;
}

function collapseRepeats(values: number[]): number[] {
  return values.filter((value, i) => i === 0 || values[i - 1] !== value);
}
