import { describe, expect, it } from "vitest";
import { awsQueueNames, awsRuleName, awsRuleNamePrefix, parseAwsBusUrl } from "./names.ts";

const SQS_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const SQS_FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const RULE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

describe("AWS names", () => {
  it("names a queue and its DLQ under the prefix, with .fifo for FIFO queues", () => {
    expect(awsQueueNames("mercato", "orders-payments", false)).toEqual({
      queue: "mercato_orders-payments",
      dlq: "mercato_orders-payments_dlq",
    });
    expect(awsQueueNames("mercato", "orders-payments", true)).toEqual({
      queue: "mercato_orders-payments.fifo",
      dlq: "mercato_orders-payments_dlq.fifo",
    });
  });

  it("keeps distinct names distinct: across prefixes, escapes and a queue named like a DLQ", () => {
    const queues = [
      awsQueueNames("mercato", "a-b", false).queue,
      awsQueueNames("mercato-a", "b", false).queue,
      awsQueueNames("mercato", "a.b", false).queue,
      awsQueueNames("mercato", "a_2eb", false).queue,
      awsQueueNames("mercato", "a_b", false).queue,
      awsQueueNames("mercato", "a-dlq", false).queue,
      awsQueueNames("mercato", "a", false).dlq,
      awsQueueNames("mercato", "é", false).queue,
    ];
    expect(new Set(queues).size).toBe(queues.length);
    for (const name of queues) expect(name).toMatch(SQS_NAME);
  });

  it("hashes a long name deterministically to fit SQS's 80 and EventBridge's 64 characters", () => {
    const long = `orders-${"x".repeat(120)}`;
    const other = `orders-${"x".repeat(119)}y`;
    const standard = awsQueueNames("mercato", long, false);
    const fifo = awsQueueNames("mercato", long, true);
    expect(awsQueueNames("mercato", long, false)).toEqual(standard);
    expect(awsQueueNames("mercato", other, false).queue).not.toBe(standard.queue);
    for (const name of [standard.queue, standard.dlq]) expect(name).toMatch(SQS_NAME);
    for (const name of [fifo.queue, fifo.dlq]) expect(name).toMatch(SQS_FIFO_NAME);
    expect(standard.dlq).toBe(`${standard.queue}_dlq`);
    const rule = awsRuleName("mercato", long);
    expect(rule).toMatch(RULE_NAME);
    expect(rule).toHaveLength(64);
    expect(awsRuleName("mercato", other)).not.toBe(rule);
    expect(awsRuleName("mercato", "orders-placed")).toBe("mercato_orders-placed");
    expect(awsRuleName("mercato", long).startsWith(awsRuleNamePrefix("mercato"))).toBe(true);
  });

  it("refuses a bad prefix or an empty name", () => {
    expect(() => awsQueueNames("has_underscore", "q", false)).toThrow(/Invalid bus prefix "has_underscore"/);
    expect(() => awsRuleName("", "r")).toThrow(/Invalid bus prefix ""/);
    expect(() => awsRuleName("x".repeat(32), "r")).toThrow(/Invalid bus prefix/);
    expect(() => awsQueueNames("mercato", "", false)).toThrow("A queue name must not be empty");
    expect(() => awsRuleName("mercato", "")).toThrow("A rule name must not be empty");
  });

  it("parses aws://<region>/<bus-name>", () => {
    expect(parseAwsBusUrl("aws://eu-west-1/mercato")).toEqual({ region: "eu-west-1", busName: "mercato" });
    expect(parseAwsBusUrl("aws://us-gov-west-1/default")).toEqual({
      region: "us-gov-west-1",
      busName: "default",
    });
    expect(parseAwsBusUrl("aws://us-east-1/aws.partner/acme.com/123/orders")).toEqual({
      region: "us-east-1",
      busName: "aws.partner/acme.com/123/orders",
    });
  });

  it("refuses a bus URL that is not exactly aws://<region>/<bus-name>", () => {
    expect(() => parseAwsBusUrl("not a url")).toThrow(/Invalid AWS bus URL "not a url"/);
    expect(() => parseAwsBusUrl("nats://eu-west-1/mercato")).toThrow(/the scheme must be aws:\/\//);
    expect(() => parseAwsBusUrl("aws://eu-west-1")).toThrow(/the bus name must be/);
    expect(() => parseAwsBusUrl("aws://eu-west-1/")).toThrow(/the bus name must be/);
    expect(() => parseAwsBusUrl("aws://europe/mercato")).toThrow(/"europe" is not an AWS region/);
    expect(() => parseAwsBusUrl("aws://eu-west-1:443/mercato")).toThrow(/nothing more/);
    expect(() => parseAwsBusUrl("aws://eu-west-1/mercato?x=1")).toThrow(/nothing more/);
    expect(() => parseAwsBusUrl("aws://key:secret@eu-west-1/mercato")).toThrow(/nothing more/);
    expect(() => parseAwsBusUrl("aws://eu-west-1/bus%20name")).toThrow(/the bus name must be/);
  });
});
