import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config.ts";
import { silentLogger } from "../../log.ts";
import { openTransport } from "../open-transport.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("BUS_URL=aws://<region>/<bus-name>", () => {
  it("is accepted and opens the AWS transport, with the bus prefix", async () => {
    const config = loadConfig({ BUS_URL: "aws://eu-west-1/mercato", MERCATO_BUS_PREFIX: "shop" });
    expect(config).toMatchObject({ busUrl: "aws://eu-west-1/mercato", busPrefix: "shop" });
    const transport = await openTransport(config, silentLogger());
    try {
      expect(transport.kind).toBe("aws");
    } finally {
      await transport.close();
    }
  });

  it("is refused without a region or a bus name, never echoing the value", () => {
    for (const url of [
      "aws://eu-west-1",
      "aws://europe/mercato",
      "aws://eu-west-1/bus?x=1",
      "aws://k:s@eu-west-1/b",
    ]) {
      expect(problemsOf({ BUS_URL: url })).toEqual([
        "BUS_URL must be aws://<region>/<bus-name>, like aws://eu-west-1/mercato (the value is not shown)",
      ]);
    }
    expect(problemsOf({ BUS_URL: "sqs://eu-west-1/mercato" })).toEqual([
      "BUS_URL must be a URL like nats://127.0.0.1:4222 (the value is not shown)",
    ]);
  });

  it("takes MERCATO_BUS_POLL_SECONDS from 0 to 20 for the SQS long poll", () => {
    expect(loadConfig({ MERCATO_BUS_POLL_SECONDS: "0" }).busPollSeconds).toBe(0);
    expect(loadConfig({}).busPollSeconds).toBeUndefined();
    expect(problemsOf({ MERCATO_BUS_POLL_SECONDS: "21" })).toEqual([
      'MERCATO_BUS_POLL_SECONDS must be between 0 and 20 (got "21")',
    ]);
    expect(problemsOf({ MERCATO_BUS_POLL_SECONDS: "1.5" })).toEqual([
      'MERCATO_BUS_POLL_SECONDS must be a whole number (got "1.5")',
    ]);
  });
});
