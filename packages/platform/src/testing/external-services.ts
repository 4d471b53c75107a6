import net from "node:net";

/**
 * The servers this machine runs for tests. A test file that needs one awaits `requireServer`: on
 * a bare machine it skips with a message saying why, but with CI=true an unreachable server fails
 * the run, so CI never passes by skipping.
 */
export const externalServices = {
  postgres: {
    url: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    port: 5432,
  },
  nats: { url: process.env.TEST_BUS_URL ?? "nats://127.0.0.1:4222", port: 4222 },
  redis: { url: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", port: 6379 },
} as const;

export type ExternalService = keyof typeof externalServices;

function canConnect(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Resolves true when the server answers; false (test should skip) when not; throws under CI. */
export async function requireServer(service: ExternalService): Promise<boolean> {
  const { url } = externalServices[service];
  if (await canConnect(url)) return true;
  const message = `${service} is not reachable at ${url}`;
  if (process.env.CI === "true") throw new Error(`${message}; CI=true requires it`);
  console.warn(`Skipping ${service} tests: ${message}`);
  return false;
}

/** Drops the PostgreSQL databases a test created for its throwaway services. */
export async function dropServiceDatabases(services: string[], prefix = "mercato"): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: externalServices.postgres.url });
  await client.connect();
  try {
    for (const service of services) {
      await client.query(`DROP DATABASE IF EXISTS "${prefix}_${service}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL databases and JetStream streams (KV buckets included) on the test servers, for a
 * check that tests leave none behind; a server that does not answer lists nothing.
 */
export async function serverResources(): Promise<{ databases: string[]; streams: string[] }> {
  const [databases, streams] = await Promise.all([
    (async () => {
      if (!(await canConnect(externalServices.postgres.url))) return [];
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: externalServices.postgres.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE NOT datistemplate",
        );
        return rows.map((row) => row.datname);
      } finally {
        await client.end();
      }
    })(),
    (async () => {
      if (!(await canConnect(externalServices.nats.url))) return [];
      const { connect } = await import("@nats-io/transport-node");
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const nc = await connect({ servers: externalServices.nats.url });
      try {
        const names: string[] = [];
        for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
        return names;
      } finally {
        await nc.close();
      }
    })(),
  ]);
  return { databases: databases.sort(), streams: streams.sort() };
}
