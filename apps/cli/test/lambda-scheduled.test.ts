import { randomUUID } from "node:crypto";
import { ProductDeleted } from "@mercato/contracts";
import type { RunningService } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduledHandlerOf } from "../src/lambda/scheduled-handler.ts";
import { lambdaContext } from "./support/lambda-events.ts";
import { type LambdaTestHost, startLambdaTestHost } from "./support/lambda-test-host.ts";

const recorderQueue = "lambda-test-deletions";

/** An EventBridge scheduled event, as a `rate(1 minute)` rule delivers it. */
const scheduledEvent = {
  version: "0",
  id: randomUUID(),
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString().slice(0, 19).concat("Z"),
  region: "eu-west-1",
  resources: ["arn:aws:events:eu-west-1:123456789012:rule/mercato-scheduled"],
  detail: {},
};

describe("the Lambda scheduled handler", () => {
  let lambda: LambdaTestHost;
  let catalog: RunningService;
  const handler = scheduledHandlerOf(async () => lambda.lambdaHost);

  beforeAll(async () => {
    lambda = await startLambdaTestHost(["catalog"]);
    const found = lambda.lambdaHost.host.services.find((service) => service.definition.name === "catalog");
    if (!found) throw new Error("catalog does not run");
    catalog = found;
    const { transport } = lambda.lambdaHost.host;
    await transport.declareQueue({
      name: recorderQueue,
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    await transport.putRule({
      name: recorderQueue,
      eventPattern: { source: ["mercato.catalog"], "detail-type": ["ProductDeleted"] },
      queue: recorderQueue,
    });
  });

  afterAll(async () => {
    await lambda?.close();
  });

  const inboxIds = async () =>
    (
      await catalog.context.database.script((session) =>
        session.query<{ event_id: string }>("SELECT event_id FROM inbox ORDER BY event_id"),
      )
    ).map((row) => row.event_id);
  const recorded = async () =>
    (await lambda.lambdaHost.host.transport.stats()).find((stats) => stats.name === recorderQueue)?.depth;

  it("publishes what an invocation committed and never published, and runs the periodic tasks once", async () => {
    // A transaction committed by an invocation whose container died before its drain.
    const deleted = ProductDeleted.create(
      { productId: randomUUID(), sku: "SCHEDULED-1" },
      { correlationId: "lambda-scheduled-test" },
    );
    await catalog.context.inTransaction(({ publish }) => publish([deleted]));
    expect(await catalog.outboxBacklog()).toBe(1);
    // The inbox remembers handled events for a week: the older row is the inbox pruning's to delete.
    const [old, recent] = [randomUUID(), randomUUID()].sort();
    await catalog.context.database.script((session) =>
      session.query(
        `INSERT INTO inbox (consumer, event_id, processed_at)
         VALUES ('catalog-stock-levels', $1, now() - interval '8 days'), ('catalog-stock-levels', $2, now())`,
        [old, recent],
      ),
    );

    await handler(scheduledEvent, lambdaContext("mercato-scheduled"));

    expect(await catalog.outboxBacklog()).toBe(0);
    expect(await recorded()).toBe(1);
    expect(await inboxIds()).toEqual([recent]);
  });
});
