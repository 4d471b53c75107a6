import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetterOffice } from "./dead-letters.ts";
import { QueueCounters } from "./queue-counters.ts";
import type { AwsQueue } from "./queue-directory.ts";

const sqs = new SQSClient({
  region: "eu-west-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const sqsMock = mockClient(sqs);
const queue: AwsQueue = {
  config: {
    name: "orders",
    visibilityTimeoutMs: 30_000,
    maxReceiveCount: 5,
    backoff: { baseMs: 1000, maxMs: 60_000 },
  },
  url: "https://sqs.eu-west-1.amazonaws.com/123456789012/mercato_orders",
  arn: "arn:aws:sqs:eu-west-1:123456789012:mercato_orders",
  dlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/mercato_orders_dlq",
  dlqArn: "arn:aws:sqs:eu-west-1:123456789012:mercato_orders_dlq",
};

afterEach(() => sqsMock.reset());

/** SQS's message move task is covered here: moto's server, the emulator, does not implement it. */
describe("AWS dead letters", () => {
  it("redrives a whole DLQ with StartMessageMoveTask and waits for the task to complete", async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "3" } });
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-1" });
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [{ TaskHandle: "task-1", Status: "RUNNING", ApproximateNumberOfMessagesMoved: 1 }],
      })
      .resolves({
        Results: [{ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 3, StartedTimestamp: Date.now() }],
      });

    expect(await new DeadLetterOffice(sqs).redrive(queue)).toBe(3);

    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: queue.dlqArn,
      DestinationArn: queue.arn,
    });
    expect(sqsMock.commandCalls(ListMessageMoveTasksCommand)[0]?.args[0].input).toMatchObject({
      SourceArn: queue.dlqArn,
    });
  });

  it("starts no task for an empty DLQ, and reports a failed task with its reason", async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    expect(await new DeadLetterOffice(sqs).redrive(queue)).toBe(0);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);

    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "2" } });
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-2" });
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: "FAILED",
          FailureReason: "AccessDenied",
          ApproximateNumberOfMessagesMoved: 1,
          StartedTimestamp: Date.now(),
        },
      ],
    });
    await expect(new DeadLetterOffice(sqs).redrive(queue)).rejects.toThrow(
      'Redrive of queue "orders" failed: AccessDenied after 1 messages',
    );
  });

  it("purges with PurgeQueue, returning SQS's count, and explains SQS's one purge a minute", async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        ApproximateNumberOfMessages: "4",
        ApproximateNumberOfMessagesNotVisible: "2",
        ApproximateNumberOfMessagesDelayed: "1",
      },
    });
    sqsMock
      .on(PurgeQueueCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error("purge in progress"), { name: "PurgeQueueInProgress" }));
    const office = new DeadLetterOffice(sqs);

    expect(await office.purge(queue, new QueueCounters())).toBe(7);
    expect(sqsMock.commandCalls(PurgeQueueCommand)[0]?.args[0].input).toEqual({ QueueUrl: queue.url });
    await expect(office.purge(queue, new QueueCounters())).rejects.toThrow(
      'Queue "orders" was purged less than 60 seconds ago; SQS allows one purge every 60 seconds',
    );
  });
});
