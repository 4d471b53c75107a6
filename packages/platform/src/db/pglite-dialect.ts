import type { PGlite } from "@electric-sql/pglite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { SchemaTurns } from "./schema-turns.ts";

/**
 * Gives each service its own view of one shared PGlite instance. PGlite has a single session, so
 * a service holds it from acquire to release (a whole transaction) and switches `search_path` to
 * its schema when another service used it last. Queries then use unqualified table names, exactly
 * as they do on a service's own PostgreSQL database. Written by hand because the published PGlite
 * dialects share one search_path and cannot give each service its schema.
 */
export class SharedPglite {
  private readonly turns = new SchemaTurns();
  private currentSchema: string | undefined;

  constructor(readonly pglite: PGlite) {}

  async acquire(schema: string): Promise<() => void> {
    await this.turns.acquire(schema);
    const release = () => this.turns.release(this.currentSchema);
    if (this.currentSchema !== schema) {
      try {
        await this.pglite.exec(`SET search_path TO ${quoteIdentifier(schema)}, public`);
      } catch (error) {
        release();
        throw error;
      }
      this.currentSchema = schema;
    }
    return release;
  }

  dialect(schema: string): Dialect {
    return {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new SharedPgliteDriver(this, schema),
      createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    };
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

class SharedPgliteConnection implements DatabaseConnection {
  constructor(
    private readonly pglite: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    return result.affectedRows === undefined
      ? { rows: result.rows }
      : { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported; the method must exist.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("PGlite connections do not stream query results");
  }
}

class SharedPgliteDriver implements Driver {
  constructor(
    private readonly shared: SharedPglite,
    private readonly schema: string,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.shared.acquire(this.schema);
    return new SharedPgliteConnection(this.shared.pglite, release);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel
      ? ` ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}`
      : "";
    const access = settings.accessMode ? ` ${settings.accessMode.toUpperCase()}` : "";
    await connection.executeQuery(CompiledQuery.raw(`BEGIN${isolation}${access}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("COMMIT"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("ROLLBACK"));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as SharedPgliteConnection).release();
  }

  async destroy(): Promise<void> {}
}
