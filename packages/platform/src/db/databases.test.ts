import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Generated, sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { dropServiceDatabases, externalServices, requireServer } from "../testing/external-services.ts";
import { type DatabaseProvider, openDatabaseProvider } from "./databases.ts";
import { MigrationError, migrate } from "./migrations.ts";

const hasPostgres = await requireServer("postgres");

interface Items {
  items: { id: Generated<number>; name: string };
}

const createItems = {
  name: "0001_items",
  sql: "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);",
};
const addColumn = {
  name: "0002_items_note",
  sql: "ALTER TABLE items ADD COLUMN note text; CREATE INDEX items_name ON items (name);",
};

function engineSuite(
  engine: string,
  open: () => Promise<DatabaseProvider>,
  cleanUp?: (services: string[]) => Promise<void>,
) {
  describe(`databases on ${engine}`, () => {
    let provider: DatabaseProvider;
    const suffix = uuidv7().slice(-8).replaceAll("-", "");
    const first = `t_first_${suffix}`;
    const second = `t_second_${suffix}`;

    afterAll(async () => {
      await provider?.close();
      await cleanUp?.([first, second]);
    });

    it("gives each service its own schema where unqualified names resolve", async () => {
      provider = await open();
      const a = await provider.forService<Items>(first);
      const b = await provider.forService<Items>(second);
      expect(await migrate(a, [createItems])).toEqual(["0001_items"]);
      expect(await migrate(b, [createItems])).toEqual(["0001_items"]);
      await a.db.insertInto("items").values({ name: "only in first" }).execute();
      const [inFirst, inSecond] = await Promise.all([
        a.db.selectFrom("items").select("name").execute(),
        b.db.selectFrom("items").select("name").execute(),
      ]);
      expect(inFirst).toEqual([{ name: "only in first" }]);
      expect(inSecond).toEqual([]);
    });

    it("applies only pending migrations, in order, once", async () => {
      const a = await provider.forService<Items>(first);
      expect(await migrate(a, [createItems, addColumn])).toEqual(["0002_items_note"]);
      expect(await migrate(a, [createItems, addColumn])).toEqual([]);
      const columns = await sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = ${first} AND table_name = 'items' ORDER BY ordinal_position`.execute(a.db);
      expect(columns.rows.map((row) => row.column_name)).toEqual(["id", "name", "note"]);
    });

    it("refuses a schema migrated by a newer version", async () => {
      const a = await provider.forService<Items>(first);
      await expect(migrate(a, [createItems])).rejects.toThrow(
        new MigrationError(`Schema ${first} has migrations this version does not know: 0002_items_note`),
      );
    });

    it("rolls back a failing migration entirely and names it", async () => {
      const b = await provider.forService<Items>(second);
      const broken = {
        name: "0002_broken",
        sql: "CREATE TABLE extra (id int); SELECT * FROM no_such_table;",
      };
      await expect(migrate(b, [createItems, broken])).rejects.toThrow(
        /Migration t_second_\w+\/0002_broken failed/,
      );
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = ${second} ORDER BY table_name`.execute(
        b.db,
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(["_migrations", "items"]);
    });

    it("keeps transactions atomic and isolated per service", async () => {
      const a = await provider.forService<Items>(first);
      await expect(
        a.db.transaction().execute(async (transaction) => {
          await transaction.insertInto("items").values({ name: "rolled back" }).execute();
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      const names = await a.db.selectFrom("items").select("name").where("name", "=", "rolled back").execute();
      expect(names).toEqual([]);
    });

    it("delivers NOTIFY to listeners at commit", async () => {
      const a = await provider.forService<Items>(first);
      let notified = 0;
      const unlisten = await a.listen(`chan_${suffix}`, () => {
        notified++;
      });
      await a.db.transaction().execute(async (transaction) => {
        await sql`SELECT pg_notify(${`chan_${suffix}`}, '')`.execute(transaction);
      });
      await expect.poll(() => notified).toBe(1);
      await unlisten();
    });
  });
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-db-"));
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));
engineSuite("PGlite", () =>
  openDatabaseProvider({ databaseUrl: undefined, dataDir, logger: silentLogger() }),
);

describe.skipIf(!hasPostgres)("PostgreSQL", () => {
  engineSuite(
    "PostgreSQL",
    () =>
      openDatabaseProvider({ databaseUrl: externalServices.postgres.url, dataDir, logger: silentLogger() }),
    dropServiceDatabases,
  );

  it("prepares each statement with parameters once per connection, and runs the others as they are", async () => {
    const service = `t_prepared_${uuidv7().slice(-8)}`;
    const provider = await openDatabaseProvider({
      databaseUrl: externalServices.postgres.url,
      dataDir,
      logger: silentLogger(),
    });
    try {
      const database = await provider.forService<Items>(service);
      await migrate(database, [createItems]);
      const prepared = await database.db.connection().execute(async (db) => {
        for (const name of ["a", "b", "b"]) await db.insertInto("items").values({ name }).execute();
        const named = await db.selectFrom("items").select("name").where("name", "=", "b").execute();
        // Several statements and no parameters: runs unprepared, as a prepared statement holds one.
        await sql.raw("SELECT 1; SELECT 2").execute(db);
        const statements = await sql<{ statement: string }>`
          SELECT statement FROM pg_prepared_statements WHERE name LIKE 'mercato\_%' ORDER BY statement
        `.execute(db);
        return { named: named.length, statements: statements.rows.map((row) => row.statement) };
      });
      expect(prepared.named).toBe(2);
      // The view lists itself too: it has no parameters, so it is not among them.
      expect(prepared.statements).toEqual([
        'insert into "items" ("name") values ($1)',
        'select "name" from "items" where "name" = $1',
      ]);
    } finally {
      await provider.close();
      await dropServiceDatabases([service]);
    }
  });

  it("runs concurrent migrations from several processes exactly once", async () => {
    const service = `t_race_${uuidv7().slice(-8)}`;
    const providers = await Promise.all(
      [1, 2, 3].map(() =>
        openDatabaseProvider({ databaseUrl: externalServices.postgres.url, dataDir, logger: silentLogger() }),
      ),
    );
    try {
      const databases = await Promise.all(providers.map((provider) => provider.forService(service)));
      const applied = await Promise.all(
        databases.map((database) => migrate(database, [createItems, addColumn])),
      );
      expect(applied.flat().sort()).toEqual(["0001_items", "0002_items_note"]);
    } finally {
      await Promise.all(providers.map((provider) => provider.close()));
      await dropServiceDatabases([service]);
    }
  });
});
