import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { scrubDatabaseError } from "./database-error.ts";

/**
 * Wraps a dialect so that every database error thrown through Kysely, on either engine, leaves
 * scrubbed of the statement's values (see database-error.ts). The statement's text is attached
 * first, so the error can name it: pg's errors do not carry it.
 */
export function scrubbingDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new ScrubbingDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

function scrubbed(error: unknown, sqlText: string): unknown {
  if (typeof error === "object" && error !== null && !("query" in error)) {
    (error as { query?: string }).query = sqlText;
  }
  return scrubDatabaseError(error);
}

class ScrubbingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw scrubbed(error, compiledQuery.sql);
    }
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw scrubbed(error, compiledQuery.sql);
    }
  }
}

type Compile = QueryCompiler["compileQuery"];

/** Hands the inner driver its own connections back, scrubbing what its own statements throw. */
class ScrubbingDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new ScrubbingConnection(await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.scrub(this.inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.scrub(this.inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.scrub(this.inner.rollbackTransaction(unwrap(connection)));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    const inner = this.inner.savepoint?.bind(this.inner);
    if (!inner) throw new Error("The database driver does not support savepoints");
    await this.scrub(inner(unwrap(connection), name, compile));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    const inner = this.inner.rollbackToSavepoint?.bind(this.inner);
    if (!inner) throw new Error("The database driver does not support savepoints");
    await this.scrub(inner(unwrap(connection), name, compile));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    const inner = this.inner.releaseSavepoint?.bind(this.inner);
    if (!inner) throw new Error("The database driver does not support savepoints");
    await this.scrub(inner(unwrap(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  private async scrub(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      throw scrubDatabaseError(error);
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof ScrubbingConnection ? connection.inner : connection;
}
