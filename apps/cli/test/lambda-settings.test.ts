import { randomBytes } from "node:crypto";
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ConfigError } from "@mercato/platform";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { lambdaEnvironment } from "../src/lambda/lambda-environment.ts";
import { once } from "../src/lambda/lambda-host.ts";
import { parseSqsQueueArn } from "../src/lambda/sqs-queue-arn.ts";
import { SqsVisibility } from "../src/lambda/sqs-visibility.ts";

const valid = {
  MERCATO_PUBLIC_URL: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/",
  MERCATO_OPS_TOKEN: randomBytes(24).toString("hex"),
  DATABASE_URL: "postgres://mercato@db.internal:5432/postgres",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    lambdaEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the environment was accepted");
}

describe("a Lambda function's environment", () => {
  it("runs the services MERCATO_SERVICES names, every one when it is unset, reached at MERCATO_PUBLIC_URL", () => {
    const some = lambdaEnvironment({ ...valid, MERCATO_SERVICES: "catalog, gateway" });
    expect(some.services.map((service) => service.name)).toEqual(["gateway", "catalog"]);
    expect(some.publicUrl).toBe("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com");
    expect(some.config.databaseUrl).toBe(valid.DATABASE_URL);

    const every = lambdaEnvironment({ ...valid, MERCATO_SECRET_KEY: randomBytes(32).toString("base64") });
    expect(every.services.map((service) => service.name)).toContain("webhooks");
    expect(every.services).toHaveLength(11);
  });

  it("names every problem at once: the platform's variables, unknown services, the URL and the tokens", () => {
    expect(
      problemsOf({ MERCATO_SERVICES: "catalog,shop,basket", PORT: "http", BUS_URL: "redis://x" }),
    ).toEqual([
      expect.stringMatching(/^PORT must be a number/),
      expect.stringMatching(/^BUS_URL must be a URL like/),
      "MERCATO_SERVICES names shop, basket; services are: gateway, identity, catalog, inventory, cart, orders, payments, recommendations, events, notifications, webhooks",
      expect.stringMatching(
        /^MERCATO_PUBLIC_URL must be set for a Lambda function: the address of its HTTP API/,
      ),
      expect.stringMatching(/^MERCATO_OPS_TOKEN must be set for a Lambda function/),
    ]);
  });

  it("refuses a public URL that is not http(s)", () => {
    for (const url of ["ftp://example.com", "example.com", "https://"]) {
      expect(problemsOf({ ...valid, MERCATO_SERVICES: "catalog", MERCATO_PUBLIC_URL: url })).toEqual([
        `MERCATO_PUBLIC_URL must be an http(s) URL (got ${JSON.stringify(url)})`,
      ]);
    }
  });

  it("asks for MERCATO_SECRET_KEY only when a service of the function seals tokens", () => {
    expect(lambdaEnvironment({ ...valid, MERCATO_SERVICES: "catalog" }).services).toHaveLength(1);
    expect(problemsOf({ ...valid, MERCATO_SERVICES: "payments" })).toEqual([
      expect.stringMatching(/^MERCATO_SECRET_KEY must be set for a Lambda function/),
    ]);
  });
});

describe("the container's host, opened once", () => {
  it("is shared by the invocations after a start, and a failed start is tried again", async () => {
    let attempts = 0;
    const opened = once(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("the database is not up yet");
      return { attempt: attempts };
    });
    await expect(opened()).rejects.toThrow("the database is not up yet");
    const [first, second] = await Promise.all([opened(), opened()]);
    expect(first).toEqual({ attempt: 2 });
    expect(second).toBe(first);
    expect(await opened()).toBe(first);
    expect(attempts).toBe(2);
  });
});

describe("SQS queue ARNs", () => {
  it("reads region, account and name, FIFO queues included", () => {
    expect(parseSqsQueueArn("arn:aws:sqs:eu-west-1:123456789012:mercato_catalog-stock-levels")).toEqual({
      arn: "arn:aws:sqs:eu-west-1:123456789012:mercato_catalog-stock-levels",
      region: "eu-west-1",
      account: "123456789012",
      name: "mercato_catalog-stock-levels",
    });
    expect(parseSqsQueueArn("arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q.fifo").name).toBe("q.fifo");
  });

  it("refuses what is not an SQS queue's ARN", () => {
    for (const arn of [
      "",
      "arn:aws:sns:eu-west-1:123456789012:topic",
      "arn:aws:sqs:eu-west-1:12345:queue",
      "arn:aws:sqs:europe:123456789012:queue",
      "arn:aws:sqs:eu-west-1:123456789012:",
      `arn:aws:sqs:eu-west-1:123456789012:${"q".repeat(81)}`,
      "arn:aws:sqs:eu-west-1:123456789012:bad name",
    ]) {
      expect(() => parseSqsQueueArn(arn)).toThrow(
        `eventSourceARN ${JSON.stringify(arn)} is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`,
      );
    }
  });
});

describe("changing a received message's visibility", () => {
  const sqs = mockClient(SQSClient);
  const queue = parseSqsQueueArn("arn:aws:sqs:eu-west-1:123456789012:mercato_catalog-stock-levels");
  const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mercato_catalog-stock-levels";
  const client = (region: string) =>
    new SQSClient({ region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

  beforeEach(() => {
    sqs.reset();
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
  });

  afterAll(() => {
    sqs.restore();
  });

  it("sets whole seconds from now, rounded up and at most 12 hours, looking the queue's URL up once", async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: url });
    const visibility = new SqsVisibility(client);
    await visibility.change(queue, "receipt-1", 45_001);
    await visibility.change(queue, "receipt-2", 0);
    await visibility.change(queue, "receipt-3", 13 * 3_600_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: url, ReceiptHandle: "receipt-1", VisibilityTimeout: 46 },
      { QueueUrl: url, ReceiptHandle: "receipt-2", VisibilityTimeout: 0 },
      { QueueUrl: url, ReceiptHandle: "receipt-3", VisibilityTimeout: 43_200 },
    ]);
    expect(sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input)).toEqual([
      { QueueName: "mercato_catalog-stock-levels", QueueOwnerAWSAccountId: "123456789012" },
    ]);
  });

  it("asks for the URL again after a failed lookup", async () => {
    sqs.on(GetQueueUrlCommand).rejectsOnce(new Error("Throttling")).resolves({ QueueUrl: url });
    const visibility = new SqsVisibility(client);
    await expect(visibility.change(queue, "receipt-1", 1_000)).rejects.toThrow("Throttling");
    await visibility.change(queue, "receipt-1", 1_000);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(2);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  });
});
