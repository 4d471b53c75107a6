import path from "node:path";
import { z } from "zod";
import { blobUrlProblem } from "./blob/s3-blob-url.ts";
import { parseAwsBusUrl } from "./bus/aws/names.ts";
import { type AlertSettings, alertSettingsOf, alertVariables } from "./ops/alerts/alert-settings.ts";

/**
 * The platform's configuration, read from environment variables and validated once at start.
 * Unset variables fall back to the embedded defaults (architecture.md, "Topologies").
 */
const urlWithScheme = (schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ""));
        } catch {
          return false;
        }
      },
      { message: `must be a URL like ${example}` },
    );

/** Whether an aws:// BUS_URL names a region and a bus (its problems are not echoed: BUS_URL is secret). */
function isAwsBusUrl(value: string): boolean {
  try {
    parseAwsBusUrl(value);
    return true;
  } catch {
    return false;
  }
}

const port = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be between 0 (any free port) and 65535")
  .max(65535, "must be between 0 (any free port) and 65535");

const environmentSchema = z.object({
  PORT: port.default(8080),
  MERCATO_DATA_DIR: z.string().trim().min(1, "must not be empty").default("./data"),
  MERCATO_SEED: z.enum(["demo", "none"], { message: 'must be "demo" or "none"' }).default("demo"),
  MERCATO_ADMIN_EMAIL: z.email("must be an email address").optional(),
  MERCATO_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  MERCATO_OPS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  MERCATO_SECRET_KEY: z
    .string()
    .refine((value) => Buffer.from(value, "base64").length === 32, { message: "must be 32 bytes in base64" })
    .optional(),
  DATABASE_URL: urlWithScheme(["postgres", "postgresql"], "postgres://user@host:5432/postgres").optional(),
  BUS_URL: urlWithScheme(["nats", "aws"], "nats://127.0.0.1:4222")
    .refine((value) => !value.startsWith("aws:") || isAwsBusUrl(value), {
      message: "must be aws://<region>/<bus-name>, like aws://eu-west-1/mercato",
    })
    .optional(),
  MERCATO_DATABASE_PREFIX: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,30}$/,
      "must be lowercase letters, digits and _ (at most 31), starting with a letter",
    )
    .default("mercato"),
  MERCATO_DATABASE_POOL_SIZE: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    // One connection stays with LISTEN for the outbox; the others run the queries.
    .min(2, "must be between 2 and 100")
    .max(100, "must be between 2 and 100")
    .default(10),
  MERCATO_IDENTITY_URL: urlWithScheme(["http", "https"], "http://identity:8080").optional(),
  MERCATO_BUS_PREFIX: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,30}$/,
      "must be lowercase letters, digits and - (at most 31), starting with a letter",
    )
    .default("mercato"),
  MERCATO_OUTBOX_ORDER: z
    .enum(["process", "service"], { message: 'must be "process" or "service"' })
    .default("process"),
  MERCATO_BUS_POLL_SECONDS: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be between 0 and 20")
    .max(20, "must be between 0 and 20")
    .optional(),
  REDIS_URL: urlWithScheme(["redis", "rediss"], "redis://127.0.0.1:6379").optional(),
  MERCATO_PEER_URLS: z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ""),
    )
    .pipe(
      z.array(
        urlWithScheme(["http", "https"], "http://orders:8080").transform((value) => new URL(value).origin),
      ),
    )
    .optional(),
  BLOB_URL: z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = blobUrlProblem(value);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  ...alertVariables,
});

/** Variables whose values may hold credentials: never echoed in error messages. */
const secretVariables = new Set([
  "MERCATO_ADMIN_PASSWORD",
  "MERCATO_OPS_TOKEN",
  "MERCATO_SECRET_KEY",
  "DATABASE_URL",
  "REDIS_URL",
  "BUS_URL",
]);

export interface PlatformConfig {
  port: number;
  dataDir: string;
  seed: "demo" | "none";
  admin: { email: string; password: string } | undefined;
  opsToken: string | undefined;
  /** Seals payment tokens in events (base64, 32 bytes); generated into the data directory when unset. */
  secretKey: string | undefined;
  databaseUrl: string | undefined;
  /** Each service's PostgreSQL database is `<databasePrefix>_<service>`. */
  databasePrefix: string;
  /**
   * PostgreSQL connections each service of this process may hold: in the distributed topology
   * every process has its own, and together they must stay under the server's max_connections.
   */
  databasePoolSize: number;
  busUrl: string | undefined;
  /** Where identity serves its public keys, when it runs in another process. */
  identityUrl: string | undefined;
  /** Namespaces streams, buckets and subjects so that deployments can share one NATS. */
  busPrefix: string;
  /**
   * `process`: each process publishes the events it commits straight from memory, in its commit
   * order. `service`: one relay at a time per service publishes every process's events in outbox
   * order, for services that run in several processes (docs/event-backbone.md).
   */
  outboxOrder: "process" | "service";
  /** The aws bus's ReceiveMessage long poll, in seconds (the transport's default when unset). */
  busPollSeconds?: number;
  redisUrl: string | undefined;
  /**
   * The other processes of a distributed deployment (MERCATO_PEER_URLS, comma-separated origins):
   * this process's operations API answers for them too, so one address shows every queue.
   */
  peerUrls: string[];
  blobUrl: string | undefined;
  logLevel: string;
  /** The thresholds of the alerts the operations API answers (MERCATO_ALERT_*). */
  alerts: AlertSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const got = secretVariables.has(name)
          ? "the value is not shown"
          : `got ${JSON.stringify(present[name])}`;
        return `${name} ${issue.message} (${got})`;
      }),
    );
  }
  const values = parsed.data;
  if (Boolean(values.MERCATO_ADMIN_EMAIL) !== Boolean(values.MERCATO_ADMIN_PASSWORD)) {
    throw new ConfigError(["MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD must be set together"]);
  }
  return {
    port: values.PORT,
    dataDir: path.resolve(values.MERCATO_DATA_DIR),
    seed: values.MERCATO_SEED,
    admin:
      values.MERCATO_ADMIN_EMAIL && values.MERCATO_ADMIN_PASSWORD
        ? { email: values.MERCATO_ADMIN_EMAIL, password: values.MERCATO_ADMIN_PASSWORD }
        : undefined,
    opsToken: values.MERCATO_OPS_TOKEN,
    secretKey: values.MERCATO_SECRET_KEY,
    databaseUrl: values.DATABASE_URL,
    databasePrefix: values.MERCATO_DATABASE_PREFIX,
    databasePoolSize: values.MERCATO_DATABASE_POOL_SIZE,
    busUrl: values.BUS_URL,
    identityUrl: values.MERCATO_IDENTITY_URL,
    busPrefix: values.MERCATO_BUS_PREFIX,
    outboxOrder: values.MERCATO_OUTBOX_ORDER,
    ...(values.MERCATO_BUS_POLL_SECONDS === undefined
      ? {}
      : { busPollSeconds: values.MERCATO_BUS_POLL_SECONDS }),
    redisUrl: values.REDIS_URL,
    peerUrls: values.MERCATO_PEER_URLS ?? [],
    blobUrl: values.BLOB_URL,
    logLevel: values.LOG_LEVEL,
    alerts: alertSettingsOf(values),
  };
}
