import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("falls back to the embedded defaults", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      dataDir: path.resolve("./data"),
      seed: "demo",
      admin: undefined,
      opsToken: undefined,
      secretKey: undefined,
      databaseUrl: undefined,
      databasePrefix: "mercato",
      databasePoolSize: 10,
      busUrl: undefined,
      busPrefix: "mercato",
      outboxOrder: "process",
      identityUrl: undefined,
      redisUrl: undefined,
      peerUrls: [],
      blobUrl: undefined,
      logLevel: "info",
      alerts: { queueAgeSeconds: 300, errorRate: 0.1, errorRateWindowSeconds: 300, pendingOrderSeconds: 300 },
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "9090",
      MERCATO_DATA_DIR: "/var/lib/mercato",
      MERCATO_SEED: "none",
      MERCATO_ADMIN_EMAIL: "ops@example.com",
      MERCATO_ADMIN_PASSWORD: "correct horse",
      DATABASE_URL: "postgres://postgres@db:5432/postgres",
      MERCATO_DATABASE_POOL_SIZE: "4",
      BUS_URL: "nats://nats:4222",
      MERCATO_BUS_PREFIX: "shop-eu",
      MERCATO_OUTBOX_ORDER: "service",
      REDIS_URL: "redis://cache:6379",
      MERCATO_PEER_URLS: " http://orders:8080/ ,https://payments.internal,",
      BLOB_URL: "s3://media",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 9090,
      dataDir: "/var/lib/mercato",
      seed: "none",
      admin: { email: "ops@example.com", password: "correct horse" },
      databaseUrl: "postgres://postgres@db:5432/postgres",
      databasePoolSize: 4,
      busUrl: "nats://nats:4222",
      busPrefix: "shop-eu",
      outboxOrder: "service",
      redisUrl: "redis://cache:6379",
      peerUrls: ["http://orders:8080", "https://payments.internal"],
      blobUrl: "s3://media",
      logLevel: "debug",
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      outboxOrder: "process",
    });
  });

  it("lists every bad variable with what it got", () => {
    expect(
      problemsOf({
        PORT: "eighty",
        MERCATO_SEED: "lots",
        DATABASE_URL: "mysql://db/x",
        MERCATO_DATABASE_POOL_SIZE: "1",
        BUS_URL: "not a url",
        REDIS_URL: "http://cache",
        MERCATO_PEER_URLS: "http://orders:8080,ftp://payments",
        BLOB_URL: "/tmp/blobs",
        LOG_LEVEL: "loud",
        MERCATO_BUS_PREFIX: "Bad Prefix",
        MERCATO_OPS_TOKEN: "short",
        MERCATO_OUTBOX_ORDER: "global",
      }),
    ).toEqual([
      'PORT must be a number (got "eighty")',
      'MERCATO_SEED must be "demo" or "none" (got "lots")',
      "MERCATO_OPS_TOKEN must be at least 16 characters (the value is not shown)",
      "DATABASE_URL must be a URL like postgres://user@host:5432/postgres (the value is not shown)",
      "BUS_URL must be a URL like nats://127.0.0.1:4222 (the value is not shown)",
      'MERCATO_DATABASE_POOL_SIZE must be between 2 and 100 (got "1")',
      'MERCATO_BUS_PREFIX must be lowercase letters, digits and - (at most 31), starting with a letter (got "Bad Prefix")',
      'MERCATO_OUTBOX_ORDER must be "process" or "service" (got "global")',
      "REDIS_URL must be a URL like redis://127.0.0.1:6379 (the value is not shown)",
      'MERCATO_PEER_URLS must be a URL like http://orders:8080 (got "http://orders:8080,ftp://payments")',
      'BLOB_URL must be a URL like s3://bucket/optional/prefix (got "/tmp/blobs")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it("checks ranges", () => {
    expect(problemsOf({ MERCATO_SECRET_KEY: "c2hvcnQ=" })).toEqual([
      "MERCATO_SECRET_KEY must be 32 bytes in base64 (the value is not shown)",
    ]);
    expect(problemsOf({ PORT: "70000" })).toEqual([
      'PORT must be between 0 (any free port) and 65535 (got "70000")',
    ]);
    expect(problemsOf({ PORT: "80.5" })).toEqual(['PORT must be a whole number (got "80.5")']);
  });

  it("reads the alert thresholds and names a bad one", () => {
    const { alerts } = loadConfig({
      MERCATO_ALERT_QUEUE_AGE_SECONDS: "0.5",
      MERCATO_ALERT_ERROR_RATE: "0.25",
      MERCATO_ALERT_ERROR_RATE_WINDOW_SECONDS: "60",
      MERCATO_ALERT_PENDING_ORDER_SECONDS: "900",
    });
    expect(alerts).toEqual({
      queueAgeSeconds: 0.5,
      errorRate: 0.25,
      errorRateWindowSeconds: 60,
      pendingOrderSeconds: 900,
    });
    expect(
      problemsOf({
        MERCATO_ALERT_QUEUE_AGE_SECONDS: "0",
        MERCATO_ALERT_ERROR_RATE: "5",
        MERCATO_ALERT_ERROR_RATE_WINDOW_SECONDS: "1.5",
        MERCATO_ALERT_PENDING_ORDER_SECONDS: "soon",
      }),
    ).toEqual([
      'MERCATO_ALERT_QUEUE_AGE_SECONDS must be more than 0 seconds (got "0")',
      'MERCATO_ALERT_ERROR_RATE must be a share of handler runs, at most 1 (0.1 is 10%) (got "5")',
      'MERCATO_ALERT_ERROR_RATE_WINDOW_SECONDS must be a whole number of seconds (got "1.5")',
      'MERCATO_ALERT_PENDING_ORDER_SECONDS must be a number of seconds (got "soon")',
    ]);
  });

  it("takes BLOB_URL as an S3 bucket with an optional prefix, and says what is wrong with another", () => {
    expect(loadConfig({ BLOB_URL: " s3://media.example-1/shop/eu/ " }).blobUrl).toBe(
      "s3://media.example-1/shop/eu/",
    );
    for (const accepted of ["s3://abc", "s3://media/", "s3://media/images", "s3://media/a_b/c-d/e.f"]) {
      expect(loadConfig({ BLOB_URL: accepted }).blobUrl).toBe(accepted);
    }
    const like = "must be a URL like s3://bucket/optional/prefix";
    const refused: [string, string][] = [
      ["https://media.s3.amazonaws.com", like],
      ["media", like],
      ["s3://", `${like}: it names no bucket`],
      ["s3:///images", `${like}: it names no bucket`],
      ["s3://Media", `${like}: "Media" is not an S3 bucket name`],
      ["s3://my_bucket", `${like}: "my_bucket" is not an S3 bucket name`],
      ["s3://ab", `${like}: "ab" is not an S3 bucket name`],
      [`s3://${"b".repeat(64)}`, `${like}: "${"b".repeat(64)}" is not an S3 bucket name`],
      ["s3://-media", `${like}: "-media" is not an S3 bucket name`],
      ["s3://me..dia", `${like}: "me..dia" is not an S3 bucket name`],
      ["s3://192.168.1.10", `${like}: "192.168.1.10" is not an S3 bucket name`],
      ["s3://key:secret@media", `${like}: credentials come from the AWS environment`],
      ["s3://media:9000", `${like}: an endpoint goes in AWS_ENDPOINT_URL_S3, not in the URL`],
      ["s3://media/images?versioned=1", `${like}: it takes no query or fragment`],
      ["s3://media//images", `${like}: the prefix "/images" must be /-separated parts`],
      ["s3://media/.hidden", `${like}: the prefix ".hidden" must be /-separated parts`],
      ["s3://media/../up", `${like}: the prefix "../up" must be /-separated parts`],
      ["s3://media/a/./b", `${like}: the prefix "a/./b" must be /-separated parts`],
      ["s3://media/%2e%2e/x", `${like}: the prefix "%2e%2e/x" must be /-separated parts`],
      ["s3://media/with%20space", `${like}: the prefix "with%20space" must be /-separated parts`],
      [`s3://media/${"p".repeat(257)}`, `${like}: the prefix is longer than 256 characters`],
    ];
    for (const [value, problem] of refused) {
      const problems = problemsOf({ BLOB_URL: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toContain(`BLOB_URL ${problem}`);
      expect(problems[0], value).toContain(`(got ${JSON.stringify(value)})`);
    }
  });

  it("wants the admin email and password together", () => {
    expect(problemsOf({ MERCATO_ADMIN_EMAIL: "ops@example.com" })).toEqual([
      "MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD must be set together",
    ]);
    expect(problemsOf({ MERCATO_ADMIN_EMAIL: "nope", MERCATO_ADMIN_PASSWORD: "short" })).toEqual([
      'MERCATO_ADMIN_EMAIL must be an email address (got "nope")',
      "MERCATO_ADMIN_PASSWORD must be at least 8 characters (the value is not shown)",
    ]);
  });
});
