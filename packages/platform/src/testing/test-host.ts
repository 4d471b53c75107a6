import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventEnvelope } from "@mercato/contracts";
import type { TokenVerifier } from "../auth/tokens.ts";
import type { EventPattern, QueueStats, Subscription } from "../bus/transport.ts";
import { loadConfig, type PlatformConfig } from "../config.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { ServiceContext, ServiceDefinition } from "../service/definition.ts";
import { type Host, startHost } from "../service/host.ts";
import { dropServiceDatabases, externalServices } from "./external-services.ts";
import { createTestAuthority, type TestAuthority } from "./test-authority.ts";

export interface TestHostOptions {
  // biome-ignore lint/suspicious/noExplicitAny: a test host runs services of any database type.
  services: ServiceDefinition<any, any>[];
  /**
   * On the PostgreSQL server and NATS JetStream under a prefix of this host's own (its databases
   * and streams are removed on close); `"database"` puts only the databases there and keeps the
   * embedded bus. Embedded (PGlite, embedded bus) when absent.
   */
  distributed?: boolean | "database";
  /** Environment the host's configuration is read from, beside the data directory. */
  env?: Record<string, string | undefined>;
  /**
   * Who signs access tokens: a test authority of the host's own (the default), or `"identity"`
   * when the identity service runs here and its own keys should be trusted, as in production.
   */
  auth?: "test-authority" | "identity" | TestAuthority;
  /** Silent unless given. */
  logger?: Logger;
  /** Records every event matching this pattern, in arrival order, in `events`. */
  record?: EventPattern;
  /** A data directory to run in, kept on close (a restart test hands it to a second host). */
  dataDir?: string;
  /**
   * Names the databases and streams of a distributed host (one of its own unless given), so that
   * a test whose start outlived its hook can still remove what the start made.
   */
  prefix?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape and assert them.
  body: any;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as given, as JSON's content type unless `headers` say otherwise. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface TestHost {
  host: Host;
  url: string;
  dataDir: string;
  /** Undefined when the host trusts identity's own keys. */
  authority: TestAuthority | undefined;
  /** What `record` matched, in arrival order. */
  events: EventEnvelope[];
  /** The context of the service named (the first one when not named), to reach its database. */
  // biome-ignore lint/suspicious/noExplicitAny: the caller names the service's tables.
  context<Tables = any>(service?: string): ServiceContext<Tables>;
  call(method: string, url: string, options?: CallOptions): Promise<Answer>;
  queueStats(queue: string): Promise<QueueStats>;
  /** True once the queue holds nothing waiting, running or due for a retry. */
  queueDrained(queue: string): Promise<boolean>;
  /** True once no queue holds work and every service's outbox is sent. */
  settled(): Promise<boolean>;
  close(): Promise<void>;
}

let hostsStarted = 0;

/**
 * One host for a test: the services given on a fresh data directory, a token authority, an optional
 * recorder of events, and everything removed on close (also when the start fails). The service
 * suites, the cross-service tests and the benchmarks all start their hosts here.
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "mercato-test-")));
  hostsStarted += 1;
  const prefix = options.prefix ?? `t${process.pid}x${hostsStarted}x${Date.now() % 100_000}`;
  const { distributed } = options;
  const removeAll = async () => {
    if (distributed) {
      await dropServiceDatabases(
        options.services.map((service) => service.name),
        prefix,
      );
    }
    if (distributed === true) {
      const { removeNatsResources } = await import("../bus/nats/cleanup.ts");
      await removeNatsResources({ url: externalServices.nats.url, prefix });
    }
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
  const authority =
    options.auth === "identity"
      ? undefined
      : options.auth === undefined || options.auth === "test-authority"
        ? await createTestAuthority()
        : options.auth;
  let host: Host;
  try {
    host = await startHost({
      config: testConfig(dataDir, options, prefix),
      services: options.services,
      logger: options.logger ?? silentLogger(),
      ...(authority ? { auth: authority.verifier satisfies TokenVerifier } : {}),
    });
  } catch (error) {
    await removeAll();
    throw error;
  }
  const events: EventEnvelope[] = [];
  const recorder = options.record ? await recordEvents(host, options.record, events) : undefined;
  const queueStats = async (name: string) => {
    const queue = (await host.transport.stats()).find((candidate) => candidate.name === name);
    if (!queue) throw new Error(`No queue ${name}`);
    return queue;
  };
  const idle = async () =>
    (await host.transport.stats()).every((stat) => stat.depth + stat.inFlight + stat.delayed === 0);
  return {
    host,
    url: host.url,
    dataDir,
    authority,
    events,
    context(service) {
      const running = service
        ? host.services.find((candidate) => candidate.definition.name === service)
        : host.services[0];
      if (!running) throw new Error(`the host runs no service ${service ?? ""}`);
      // biome-ignore lint/suspicious/noExplicitAny: the caller names the service's tables.
      return running.context as ServiceContext<any>;
    },
    call: (method, url, callOptions) => call(host.url, method, url, callOptions),
    queueStats,
    async queueDrained(name) {
      const queue = await queueStats(name);
      return queue.depth + queue.inFlight + queue.delayed === 0;
    },
    async settled() {
      // Idle queues first: no handler can still commit outbox rows. Then empty outboxes: the relay
      // committed, so it had published. Then idle again: what it published was consumed.
      if (!(await idle())) return false;
      const backlogs = await Promise.all(host.services.map((service) => service.outboxBacklog()));
      return backlogs.every((backlog) => backlog === 0) && idle();
    },
    async close() {
      await recorder?.stop();
      await host.close();
      await removeAll();
    },
  };
}

function testConfig(dataDir: string, options: TestHostOptions, prefix: string): PlatformConfig {
  const config = {
    ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none", ...options.env }),
    port: 0,
  };
  if (!options.distributed) return config;
  const database = { databaseUrl: externalServices.postgres.url, databasePrefix: prefix };
  if (options.distributed === "database") return { ...config, ...database };
  return { ...config, ...database, busUrl: externalServices.nats.url, busPrefix: prefix };
}

async function recordEvents(
  host: Host,
  eventPattern: EventPattern,
  events: EventEnvelope[],
): Promise<Subscription> {
  const queue = "test-recorder";
  await host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 5_000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 100 },
  });
  await host.transport.putRule({ name: queue, eventPattern, queue });
  return host.transport.consume(queue, async (delivery) => {
    events.push(delivery.event);
  });
}

/** One HTTP call to `baseUrl`; the body is parsed as JSON when there is one. */
export async function call(
  baseUrl: string,
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<Answer> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const response = await fetch(new URL(url, baseUrl), {
    method,
    headers: {
      ...(hasBody ? { "content-type": "application/json" } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? parseBody(text) : undefined };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
