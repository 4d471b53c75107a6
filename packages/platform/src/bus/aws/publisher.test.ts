import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../log.ts";
import { event } from "../test/test-event.ts";
import { createAwsTransport } from "./aws-transport.ts";
import { ENVELOPE_KEY, MAX_ENTRY_BYTES } from "./message-body.ts";
import { Publisher } from "./publisher.ts";
import type { AwsQueue } from "./queue-directory.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const eventBridge = new EventBridgeClient({ region: "eu-west-1", credentials });
const sqs = new SQSClient({ region: "eu-west-1", credentials });
const eventBridgeMock = mockClient(eventBridge);
const sqsMock = mockClient(sqs);

afterEach(() => {
  eventBridgeMock.reset();
  sqsMock.reset();
});

function publisher(): Publisher {
  return new Publisher({
    eventBridge,
    sqs,
    busName: "mercato",
    region: "eu-west-1",
    logger: silentLogger(),
    sleep: async () => {},
  });
}

/** The Mercato event ids of a PutEvents request, in entry order. */
function idsOf(call: { args: [{ input: object }] }): string[] {
  const input = call.args[0].input as { Entries: Array<{ Detail: string }> };
  return input.Entries.map((entry) => (JSON.parse(entry.Detail)[ENVELOPE_KEY] as { id: string }).id);
}

describe("AWS publishing", () => {
  it("sends batches of at most 10 entries", async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 23 }, (_, n) => event("src", "T", { n }));
    const p = publisher();

    await p.putEvents(p.entriesOf(events));

    const calls = eventBridgeMock.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.flatMap(idsOf)).toEqual(events.map((e) => e.id));
    expect(calls[0]?.args[0].input.Entries?.[0]?.EventBusName).toBe("mercato");
  });

  it("keeps each request under 256 KiB in all", async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 3 }, (_, n) => event("src", "T", { n, text: "x".repeat(100_000) }));
    const p = publisher();

    await p.putEvents(p.entriesOf(events));

    expect(
      eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length),
    ).toEqual([2, 1]);
  });

  it("tries again only the entries that failed, until they succeed", async () => {
    const events = Array.from({ length: 4 }, (_, n) => event("src", "T", { n }));
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: "e0" },
          { ErrorCode: "InternalFailure", ErrorMessage: "try again" },
          { EventId: "e2" },
          { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" },
        ],
      })
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: "e1" }, { ErrorCode: "InternalFailure", ErrorMessage: "again" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e3" }] });
    const p = publisher();

    await p.putEvents(p.entriesOf(events));

    const calls = eventBridgeMock.commandCalls(PutEventsCommand);
    expect(calls.map(idsOf)).toEqual([
      events.map((e) => e.id),
      [events[1]?.id, events[3]?.id],
      [events[3]?.id],
    ]);
  });

  it("fails at once on an entry EventBridge refuses for good, and after six tries on one that keeps failing", async () => {
    const events = [event("src", "T", { n: 1 }), event("src", "T", { n: 2 })];
    eventBridgeMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: "e0" }, { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." }],
    });
    const p = publisher();
    await expect(p.putEvents(p.entriesOf(events))).rejects.toThrow(
      `Publishing failed for 1 of 2 entries: event ${events[1]?.id} (T): MalformedDetail Detail is malformed.`,
    );
    expect(eventBridgeMock.commandCalls(PutEventsCommand)).toHaveLength(1);

    eventBridgeMock.reset();
    eventBridgeMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    await expect(p.putEvents(p.entriesOf([events[0] as (typeof events)[0]]))).rejects.toThrow(
      /Publishing failed for 1 of 1 entries after 6 tries: event .* InternalFailure/,
    );
    expect(eventBridgeMock.commandCalls(PutEventsCommand)).toHaveLength(6);
  });

  it("refuses an event larger than 256 KiB as an EventBridge entry, sending nothing", async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const transport = createAwsTransport({
      url: "aws://eu-west-1/mercato",
      eventBridge,
      sqs,
      logger: silentLogger(),
    });
    const small = event("src", "T", { n: 1 });
    const large = event("src", "Large", { text: "x".repeat(MAX_ENTRY_BYTES) });
    try {
      await expect(transport.publish([small, large])).rejects.toThrow(
        new RegExp(
          `^Event ${large.id} \\(Large\\) is \\d+ bytes as an EventBridge entry; EventBridge accepts at most 262144 \\(256 KiB\\)$`,
        ),
      );
      expect(eventBridgeMock.commandCalls(PutEventsCommand)).toHaveLength(0);
    } finally {
      await transport.close();
    }
  });

  it("sends a FIFO queue its events in order, each with its group and its event id for deduplication", async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: "1", Code: "InternalError", SenderFault: false, Message: "x" }],
      })
      .resolves({ Successful: [], Failed: [] });
    const queue: AwsQueue = {
      config: {
        name: "q",
        visibilityTimeoutMs: 1000,
        maxReceiveCount: 3,
        backoff: { baseMs: 1, maxMs: 2 },
        fifo: { groupBy: "detail.orderId" },
      },
      url: "https://sqs/q.fifo",
      arn: "arn:aws:sqs:eu-west-1:123456789012:mercato_q.fifo",
      dlqUrl: "https://sqs/q_dlq.fifo",
      dlqArn: "arn:aws:sqs:eu-west-1:123456789012:mercato_q_dlq.fifo",
    };
    const events = [
      event("src", "T", { orderId: "o-1" }),
      event("src", "T", { orderId: "o 2 with spaces" }),
      event("src", "T", {}),
    ];

    await publisher().sendToFifoQueue(queue, events);

    const [first, retry] = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(first?.map((entry) => entry.MessageGroupId)).toEqual([
      "o-1",
      expect.stringMatching(/^h-[0-9a-f]{64}$/),
      "-",
    ]);
    expect(first?.map((entry) => entry.MessageDeduplicationId)).toEqual(events.map((e) => e.id));
    const body = JSON.parse(first?.[0]?.MessageBody ?? "{}");
    expect(body).toMatchObject({ account: "123456789012", region: "eu-west-1", source: "src" });
    expect(retry?.map((entry) => entry.Id)).toEqual(["1"]);
  });
});
