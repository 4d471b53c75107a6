import type { PostgresPool, PostgresPoolClient } from "kysely";
import type pg from "pg";

/** Distinct statements a process prepares at most; others run unnamed, parsed each time. */
const maxPreparedStatements = 2_000;

/**
 * Hands Kysely a pool whose clients run every statement with parameters as a named prepared
 * statement: PostgreSQL parses and plans its text once per connection instead of at every
 * execution, and the client sends Bind and Execute alone. A service repeats a few dozen
 * statements all day, so this takes most of the parse and plan work off PostgreSQL's CPU.
 *
 * Statements without parameters (BEGIN, COMMIT, migration scripts of several statements) run as
 * before: a prepared statement holds one statement. Names follow the text, so one text is one
 * name on every connection, and the number of names is bounded: a statement whose text varies
 * with its input (a VALUES list of n rows) takes names for its first shapes only.
 */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known || names.size >= maxPreparedStatements) return known;
    const name = `mercato_${names.size + 1}`;
    names.set(text, name);
    return name;
  };
  // One wrapper per client, so that Kysely, which keys its connections by client, finds it again.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const query = (text: unknown, values?: unknown) => {
      if (typeof text !== "string" || !Array.isArray(values) || values.length === 0) {
        return (client.query as (...args: unknown[]) => unknown)(text, values);
      }
      const name = nameOf(text);
      return name ? client.query({ name, text, values }) : client.query(text, values);
    };
    return { query: query as PostgresPoolClient["query"], release: () => client.release() };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
