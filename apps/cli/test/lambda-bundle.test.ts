import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { StockLevelChanged } from "@mercato/contracts";
import { deliveredEventOf } from "@mercato/platform/aws/message-body";
import { awsQueueNames } from "@mercato/platform/aws/names";
import { removeNatsResources } from "@mercato/platform/nats";
import { dropServiceDatabases, externalServices, requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, httpApiEvent, lambdaContext, region, sqsRecord } from "./support/lambda-events.ts";

const bundle = fileURLToPath(new URL("../dist/lambda/", import.meta.url));
const services = ["gateway", "identity", "catalog"];
const run = promisify(execFile);

/**
 * Invokes a handler of the folder the functions are deployed from, copied where no node_modules of
 * the repository can be reached, in a process of its own, as the Lambda runtime would: the event
 * and the context's fields in, the handler's answer out (in a file: the logs are on stdout).
 */
const invoker = `
import { writeFileSync } from "node:fs";
const [file, payload, output] = process.argv.slice(1);
const { handler } = await import(file);
const { event, context } = JSON.parse(payload);
const answer = await handler(event, { ...context, getRemainingTimeInMillis: () => 30000 });
writeFileSync(output, JSON.stringify({ answer }));
process.exit(0);
`;

const ready = (await requireServer("postgres")) && (await requireServer("nats"));

describe.runIf(ready)("the Lambda folder apps/cli/dist/lambda, on its own (PostgreSQL, NATS)", () => {
  const prefix = `lambda${process.pid}x${Date.now() % 100_000}`;
  let folder: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-lambda-bundle-"));
    await fs.cp(bundle, path.join(folder, "function"), { recursive: true });
    env = {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: externalServices.postgres.url,
      MERCATO_DATABASE_PREFIX: prefix,
      MERCATO_DATABASE_POOL_SIZE: "2",
      BUS_URL: externalServices.nats.url,
      MERCATO_BUS_PREFIX: prefix,
      MERCATO_SERVICES: services.join(","),
      MERCATO_PUBLIC_URL: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
      MERCATO_OPS_TOKEN: randomBytes(24).toString("hex"),
      MERCATO_SEED: "none",
      MERCATO_DATA_DIR: path.join(folder, "data"),
      LOG_LEVEL: "warn",
      // A refused address: the failed record's visibility change fails at once, as logged.
      AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: region,
    };
  });

  afterAll(async () => {
    await dropServiceDatabases(services, prefix);
    await removeNatsResources({ url: externalServices.nats.url, prefix });
    if (folder) await fs.rm(folder, { recursive: true, force: true });
  });

  const invoke = async (handler: string, event: unknown, functionName: string) => {
    const output = path.join(folder, `${randomBytes(6).toString("hex")}.json`);
    const payload = {
      event,
      context: { ...lambdaContext(functionName), getRemainingTimeInMillis: undefined },
    };
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        invoker,
        path.join(folder, "function", `${handler}.js`),
        JSON.stringify(payload),
        output,
      ],
      { cwd: path.join(folder, "function"), env },
    ).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`${handler} failed:\n${error.stdout}\n${error.stderr}`);
    });
    const answer = await fs.readFile(output, "utf8").catch(() => {
      throw new Error(`${handler} gave no answer:\n${stdout}\n${stderr}`);
    });
    return JSON.parse(answer).answer;
  };

  it("serves an HTTP API event from http-handler.handler", async () => {
    const answer = await invoke(
      "http-handler",
      httpApiEvent({ method: "GET", target: "/api/products?limit=3" }),
      "http",
    );
    expect(answer.statusCode, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ items: [] });

    const docs = await invoke(
      "http-handler",
      httpApiEvent({ method: "GET", target: "/openapi.json" }),
      "http",
    );
    expect(docs.statusCode).toBe(200);
    expect(JSON.parse(docs.body).paths).toHaveProperty("/api/products");
  });

  it("handles an SQS batch from sqs-handler.handler, reporting the record that failed", async () => {
    const queue = awsQueueNames(prefix, "catalog-stock-levels", false).queue;
    const event = StockLevelChanged.create(
      { sku: "BUNDLE-1", onHand: 2, reserved: 0, available: 2 },
      { correlationId: "lambda-bundle-test" },
    );
    const good = sqsRecord(queue, JSON.stringify(deliveredEventOf(event, { account, region })));
    const bad = sqsRecord(queue, "not an event");
    const answer = await invoke("sqs-handler", { Records: [good, bad] }, "catalog-consumer");
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
  });

  it("holds sharp, which image uploads load, with its native parts", async () => {
    const script =
      'import sharp from "sharp"; const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: "red" } }).png().toBuffer(); process.stdout.write(String((await sharp(png).metadata()).width));';
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: path.join(folder, "function"),
      env: { PATH: env.PATH ?? "" },
    });
    expect(stdout).toBe("2");
  });

  it("runs the periodic tasks from scheduled-handler.handler", async () => {
    const tick = { version: "0", "detail-type": "Scheduled Event", source: "aws.events", detail: {} };
    await expect(invoke("scheduled-handler", tick, "scheduled")).resolves.toBeUndefined();
  });
});
