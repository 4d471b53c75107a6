import fs from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "../log.ts";
import { scrubDatabaseError } from "./database-error.ts";
import { quoteIdentifier, SharedPglite } from "./pglite-dialect.ts";
import { withPreparedStatements } from "./prepared-statements.ts";
import { scrubbingDialect } from "./scrubbing-dialect.ts";

/** int8 values (counts, sequences) come back as numbers on both engines. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type DatabaseEngine = "pglite" | "postgres";

export interface ServiceDatabase<DB = unknown> {
  engine: DatabaseEngine;
  /** The service's schema; unqualified table names resolve to it. */
  schema: string;
  db: Kysely<DB>;
  /**
   * Runs `work` in one transaction on one session with plain SQL, including multi-statement
   * scripts (migrations). Queries through `db` are the normal path.
   */
  script<T>(work: (session: ScriptSession) => Promise<T>): Promise<T>;
  /** Calls `onNotify` for each NOTIFY on the channel; resolves with an unsubscribe function. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ScriptSession {
  /** Runs one or more statements without parameters. */
  exec(sqlText: string): Promise<void>;
  query<R>(sqlText: string, parameters?: unknown[]): Promise<R[]>;
}

/** Opens each service's database on the configured engine. */
export interface DatabaseProvider {
  engine: DatabaseEngine;
  forService<DB>(service: string): Promise<ServiceDatabase<DB>>;
  close(): Promise<void>;
}

const serviceNamePattern = /^[a-z][a-z0-9_]{0,40}$/;

function schemaFor(service: string): string {
  if (!serviceNamePattern.test(service)) {
    throw new Error(
      `Service name "${service}" must match ${serviceNamePattern} to name its schema and database`,
    );
  }
  return service;
}

export async function openDatabaseProvider(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
  poolSize?: number;
  /** Names each service's PostgreSQL database `<prefix>_<service>`. */
  databasePrefix?: string;
}): Promise<DatabaseProvider> {
  return options.databaseUrl
    ? openPostgres(
        options.databaseUrl,
        options.logger,
        options.poolSize ?? 10,
        options.databasePrefix ?? "mercato",
      )
    : openPglite(path.join(options.dataDir, "pglite"));
}

/** One PGlite instance for every service, one schema each (architecture.md, "Topologies"). */
async function openPglite(directory: string): Promise<DatabaseProvider> {
  await fs.mkdir(directory, { recursive: true });
  // PostgreSQL's default 128 MB of shared buffers would be most of the embedded platform's memory;
  // the embedded data set is small and the OS caches its files anyway.
  const pglite = await PGlite.create(directory, {
    extensions: { pg_trgm },
    postgresqlconf: ["shared_buffers=16MB"],
  });
  const shared = new SharedPglite(pglite);
  const open = new Set<Kysely<unknown>>();
  return {
    engine: "pglite",
    async forService<DB>(service: string) {
      const schema = schemaFor(service);
      const db = new Kysely<DB>({ dialect: scrubbingDialect(shared.dialect(schema)) });
      open.add(db as Kysely<unknown>);
      return {
        engine: "pglite",
        schema,
        db,
        async script(work) {
          const release = await shared.acquire(schema);
          try {
            return await pglite.transaction((transaction) =>
              work({
                exec: async (sqlText) => {
                  await transaction.exec(sqlText);
                },
                query: async <R>(sqlText: string, parameters: unknown[] = []) =>
                  (await transaction.query<R>(sqlText, parameters)).rows,
              }),
            );
          } catch (error) {
            throw scrubDatabaseError(error);
          } finally {
            release();
          }
        },
        async listen(channel, onNotify) {
          const unsubscribe = await pglite.listen(channel, () => onNotify());
          return async () => unsubscribe();
        },
        async close() {
          open.delete(db as Kysely<unknown>);
          await db.destroy();
        },
      } satisfies ServiceDatabase<DB>;
    },
    async close() {
      await Promise.all([...open].map((db) => db.destroy()));
      await pglite.close();
    },
  };
}

/** One database `<prefix>_<service>` per service on a PostgreSQL server, created when missing. */
async function openPostgres(
  serverUrl: string,
  logger: Logger,
  poolSize: number,
  prefix: string,
): Promise<DatabaseProvider> {
  const pools = new Set<pg.Pool>();
  return {
    engine: "postgres",
    async forService<DB>(service: string) {
      const schema = schemaFor(service);
      const databaseUrl = new URL(serverUrl);
      databaseUrl.pathname = `/${prefix}_${service}`;
      await ensureDatabase(serverUrl, `${prefix}_${service}`, logger);
      const pool = new pg.Pool({
        connectionString: databaseUrl.toString(),
        max: poolSize,
        options: `-c search_path=${quoteIdentifier(schema)},public`,
      });
      pool.on("error", (error) => logger.error({ err: error, service }, "idle PostgreSQL client failed"));
      pools.add(pool);
      const db = new Kysely<DB>({
        dialect: scrubbingDialect(new PostgresDialect({ pool: withPreparedStatements(pool) })),
      });
      return {
        engine: "postgres",
        schema,
        db,
        async script(work) {
          const client = await pool.connect();
          try {
            await client.query("BEGIN");
            const result = await work({
              exec: async (sqlText) => {
                await client.query(sqlText);
              },
              query: async <R>(sqlText: string, parameters: unknown[] = []) =>
                (await client.query(sqlText, parameters)).rows as R[],
            });
            await client.query("COMMIT");
            return result;
          } catch (error) {
            await client.query("ROLLBACK").catch(() => undefined);
            throw scrubDatabaseError(error);
          } finally {
            client.release();
          }
        },
        async listen(channel, onNotify) {
          const client = await pool.connect();
          client.on("notification", (message) => {
            if (message.channel === channel) onNotify();
          });
          await client.query(`LISTEN ${quoteIdentifier(channel)}`);
          return async () => {
            await client.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
            client.release();
          };
        },
        async close() {
          pools.delete(pool);
          await db.destroy();
        },
      } satisfies ServiceDatabase<DB>;
    },
    async close() {
      await Promise.all([...pools].map((pool) => pool.end()));
    },
  };
}

const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505";

async function ensureDatabase(serverUrl: string, name: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    logger.info({ database: name }, "created database");
  } catch (error) {
    // Another process created it first.
    const code = (error as { code?: string }).code;
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await client.end();
  }
}
