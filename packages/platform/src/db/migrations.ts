import fs from "node:fs/promises";
import type { ServiceDatabase } from "./databases.ts";
import { quoteIdentifier } from "./pglite-dialect.ts";

/** A forward-only migration: plain SQL run against the service's schema. */
export interface Migration {
  name: string;
  sql: string;
}

/** Reads `*.sql` files from a folder, ordered by file name (`0001_create_products.sql`, ...). */
export async function loadMigrations(folder: URL): Promise<Migration[]> {
  const names = (await fs.readdir(folder)).filter((name) => name.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (name) => ({
      name: name.replace(/\.sql$/, ""),
      sql: await fs.readFile(new URL(name, folder), "utf8"),
    })),
  );
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

/**
 * Applies the migrations not yet applied, in order, in one transaction under an advisory lock, so
 * that several processes starting at once apply each migration exactly once. Refuses to run
 * against a schema that has migrations this code does not know (a newer version ran there).
 */
export async function migrate<DB>(database: ServiceDatabase<DB>, migrations: Migration[]): Promise<string[]> {
  assertUniqueNames(migrations);
  const schema = quoteIdentifier(database.schema);
  return database.script(async (session) => {
    await session.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `mercato:migrations:${database.schema}`,
    ]);
    await session.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await session.exec(
      `CREATE TABLE IF NOT EXISTS ${schema}._migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set(
      (await session.query<{ name: string }>(`SELECT name FROM ${schema}._migrations`)).map(
        (row) => row.name,
      ),
    );
    const known = new Set(migrations.map((migration) => migration.name));
    const unknown = [...applied].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new MigrationError(
        `Schema ${database.schema} has migrations this version does not know: ${unknown.join(", ")}`,
      );
    }
    const pending = migrations.filter((migration) => !applied.has(migration.name));
    for (const migration of pending) {
      await session.exec(`SET LOCAL search_path TO ${schema}, public`);
      try {
        await session.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(
          `Migration ${database.schema}/${migration.name} failed: ${(error as Error).message}`,
        );
      }
      await session.query(`INSERT INTO ${schema}._migrations (name) VALUES ($1)`, [migration.name]);
    }
    return pending.map((migration) => migration.name);
  });
}

function assertUniqueNames(migrations: Migration[]): void {
  const seen = new Set<string>();
  for (const { name } of migrations) {
    if (seen.has(name)) throw new MigrationError(`Migration ${name} is listed twice`);
    seen.add(name);
  }
}
