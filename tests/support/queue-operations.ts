import { startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProbe } from "./probe-service.ts";

interface Alert {
  name: string;
  severity: string;
  since: string;
  summary: string;
}

/**
 * The operations API over HTTP on a consumer the test steers: purging a queue whose messages wait
 * behind a held handler, and the alerts a failing handler raises and clears. Run embedded
 * (ops-queues.test.ts) and on PostgreSQL and NATS (ops-queues.postgres.test.ts).
 */
export function describeQueueOperations(topology: {
  name: string;
  distributed: boolean;
  available: boolean;
}) {
  describe.runIf(topology.available)(`purge and alerts of the operations API, ${topology.name}`, () => {
    const probe = createProbe();
    let test: TestHost;
    let admin: string;
    let customer: string;

    beforeAll(async () => {
      test = await startTestHost({
        services: [probe.service],
        distributed: topology.distributed,
        env: { MERCATO_ALERT_QUEUE_AGE_SECONDS: "1", MERCATO_ALERT_ERROR_RATE: "0.6" },
      });
      admin = (await test.authority?.token({ roles: ["admin"] })) ?? "";
      customer = (await test.authority?.token({ roles: ["customer"] })) ?? "";
    });

    afterAll(async () => {
      probe.release();
      await test?.close();
    });

    const publish = (...events: ReturnType<typeof probe.event>[]) => test.host.transport.publish(events);
    const stats = (queue: string) => test.queueStats(queue);
    const alerts = async (): Promise<Alert[]> => {
      const answer = await test.call("GET", "/api/ops/alerts", { token: admin });
      expect(answer.status).toBe(200);
      return answer.body.items;
    };
    /** The alerts of that name about that queue. */
    const firing = async (name: string, queue: string) =>
      (await alerts()).filter((alert) => alert.name === name && alert.summary.includes(queue));

    it("fires no alert while nothing is wrong", async () => {
      expect(await alerts()).toEqual([]);
    });

    it("purges the waiting messages of a queue and keeps its dead letters", async () => {
      await publish(probe.event("held", "fail", 1));
      await expect.poll(async () => (await stats("probe-held")).dlqDepth).toBe(1);
      await publish(probe.event("held", "hold", 2));
      await expect.poll(async () => (await stats("probe-held")).inFlight).toBe(1);
      await publish(...[3, 4, 5, 6, 7].map((n) => probe.event("held", "ok", n)));
      await expect.poll(async () => (await stats("probe-held")).depth).toBe(5);
      await expect.poll(async () => (await firing("QueueMessageTooOld", "probe-held")).length).toBe(1);

      const purge = (queue: string, token?: string) =>
        test.call("POST", `/api/ops/queues/${queue}/purge`, token ? { token } : {});
      const anonymous = await purge("probe-held");
      expect(anonymous).toMatchObject({ status: 401, body: { status: 401 } });
      expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
      expect((await purge("probe-held", customer)).status).toBe(403);
      expect(await purge("no-such-queue", admin)).toMatchObject({
        status: 404,
        body: { detail: "Queue no-such-queue does not exist" },
      });
      expect((await purge("Not_A_Queue", admin)).body.errors).toEqual([
        { path: "params.name", message: "must be a queue name like catalog-stock-levels" },
      ]);
      expect(await stats("probe-held")).toMatchObject({ depth: 5, dlqDepth: 1 });

      const purged = await purge("probe-held", admin);
      expect(purged.status).toBe(204);
      expect(purged.body).toBeUndefined();
      expect(await stats("probe-held")).toMatchObject({ depth: 0, inFlight: 0, dlqDepth: 1 });
      const letters = await test.call("GET", "/api/ops/queues/probe-held/dlq", { token: admin });
      expect(
        letters.body.items.map((letter: { event: { detail: { n: number } } }) => letter.event.detail.n),
      ).toEqual([1]);
      await expect.poll(async () => (await firing("QueueMessageTooOld", "probe-held")).length).toBe(0);
      expect(await firing("DeadLetterQueueNotEmpty", "probe-held")).toHaveLength(1);

      // The held handler ends, and the next message is the first one after the purge.
      probe.release();
      await publish(probe.event("held", "ok", 8));
      await expect.poll(() => probe.state.handled.includes(8)).toBe(true);
      expect([...probe.state.handled].sort()).toEqual([2, 8]);
    });

    it("raises the dead-letter and error rate alerts of a failing handler, and clears them once redriven", async () => {
      await publish(probe.event("flaky", "fail", 10));
      await expect
        .poll(async () =>
          (await alerts())
            .filter((alert) => alert.summary.includes("probe-flaky"))
            .map((alert) => alert.name)
            .sort(),
        )
        .toEqual(["DeadLetterQueueNotEmpty", "HandlerErrorRateHigh"]);
      const [deadLetters] = await firing("DeadLetterQueueNotEmpty", "probe-flaky");
      expect(deadLetters).toEqual({
        name: "DeadLetterQueueNotEmpty",
        severity: "warning",
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        summary:
          "Queue probe-flaky has 1 dead letter(s): see GET /api/ops/queues/probe-flaky/dlq and redrive once the cause is fixed",
      });
      expect((await firing("HandlerErrorRateHigh", "probe-flaky"))[0]).toMatchObject({
        severity: "warning",
        summary: "100% of queue probe-flaky's handler runs failed in the last 300 s (1 of 1; threshold 60%)",
      });
      // Still the same alert, begun at the same time.
      expect((await firing("DeadLetterQueueNotEmpty", "probe-flaky"))[0]?.since).toBe(deadLetters?.since);

      // Purging the queue leaves its dead letters, and their alert.
      expect((await test.call("POST", "/api/ops/queues/probe-flaky/purge", { token: admin })).status).toBe(
        204,
      );
      expect(await firing("DeadLetterQueueNotEmpty", "probe-flaky")).toHaveLength(1);

      probe.state.failing = false;
      const redriven = await test.call("POST", "/api/ops/queues/probe-flaky/redrive", {
        token: admin,
        body: {},
      });
      expect(redriven.body).toEqual({ moved: 1 });
      await expect.poll(() => probe.state.handled.includes(10)).toBe(true);
      // One failed run of two is under the 60% the host was given.
      await expect
        .poll(async () => (await alerts()).filter((alert) => alert.summary.includes("probe-flaky")))
        .toEqual([]);
    });

    it("shows the alerts to admins only", async () => {
      const anonymous = await test.call("GET", "/api/ops/alerts");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
      expect((await test.call("GET", "/api/ops/alerts", { token: customer })).status).toBe(403);
      expect((await test.call("GET", "/api/ops/alerts", { token: "not.a.token" })).status).toBe(401);
    });
  });
}
