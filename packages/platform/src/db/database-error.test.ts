import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { errorSummary } from "../log-safe-error.ts";
import { dropServiceDatabases, externalServices, requireServer } from "../testing/external-services.ts";
import { captureLogs } from "../testing/log-capture.ts";
import { statementSummary } from "./database-error.ts";
import { type DatabaseProvider, openDatabaseProvider, type ServiceDatabase } from "./databases.ts";

const hasPostgres = await requireServer("postgres");
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-db-errors-"));
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

interface Accounts {
  accounts: { email: string; password_hash: string };
}

const hash = "scrypt$15$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5";
const email = "ada.secret@example.com";

/** Every way an error leaves a process: a log line (both spellings), inspection, JSON, a summary. */
function everyRendering(error: unknown): string {
  const capture = captureLogs();
  capture.logger.error({ err: error }, "failed");
  capture.logger.error(error as Error);
  capture.logger.error({ error }, "failed");
  return [capture.text(), inspect(error, { depth: 5 }), JSON.stringify(error), errorSummary(error)].join(
    "\n",
  );
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => expect.unreachable("the statement should have failed"),
    (error: unknown) => error,
  );
}

function engineSuite(
  engine: string,
  open: () => Promise<DatabaseProvider>,
  cleanUp?: (s: string[]) => Promise<void>,
) {
  describe(`database errors on ${engine}`, () => {
    const service = `t_leak_${uuidv7().slice(-8)}`;
    let provider: DatabaseProvider;
    let database: ServiceDatabase<Accounts>;

    afterAll(async () => {
      await provider?.close();
      await cleanUp?.([service]);
    });

    it("a failed insert names its code, constraint and statement, never its values", async () => {
      provider = await open();
      database = await provider.forService<Accounts>(service);
      await database.script((session) =>
        session.exec(
          `CREATE TABLE accounts (email text UNIQUE, password_hash text CONSTRAINT hash_short CHECK (length(password_hash) < 10))`,
        ),
      );
      const error = await failure(
        database.db.insertInto("accounts").values({ email, password_hash: hash }).execute(),
      );
      const text = everyRendering(error);
      expect(text).not.toContain(hash);
      expect(text).not.toContain(email);
      expect(text).toContain("23514");
      expect(text).toContain("hash_short");
      expect(text).toContain('insert into \\"accounts\\"');
      expect(errorSummary(error)).toMatch(/^new row for relation "accounts" violates check constraint/);
    });

    it("a duplicate key keeps no detail (PostgreSQL quotes the key's value there)", async () => {
      await database.db.insertInto("accounts").values({ email, password_hash: "short" }).execute();
      const error = await failure(
        database.db.insertInto("accounts").values({ email, password_hash: "short" }).execute(),
      );
      expect((error as { code?: string }).code).toBe("23505");
      expect(everyRendering(error)).not.toContain(email);
    });

    it("a message that quotes the offending value keeps only its words", async () => {
      const error = await failure(sql`SELECT ${"tok_visa-like-secret"}::int`.execute(database.db));
      const text = everyRendering(error);
      expect(text).not.toContain("tok_visa-like-secret");
      expect(errorSummary(error)).toBe(
        "invalid input syntax for type integer: [value hidden] (SQLSTATE 22P02, select)",
      );
    });

    it("a script's query is scrubbed the same way", async () => {
      const error = await failure(
        database.script((session) =>
          session.query("INSERT INTO accounts (email, password_hash) VALUES ($1, $2)", [email, hash]),
        ),
      );
      const text = everyRendering(error);
      expect(text).not.toContain(hash);
      expect(text).not.toContain(email);
      expect(text).toContain("23514");
    });
  });
}

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
});

describe("statementSummary", () => {
  it.each([
    {
      sqlText: 'insert into "users" ("email", "password_hash") values ($1, $2)',
      summary: 'insert into "users"',
    },
    { sqlText: 'update "orders" set "status" = $1 where "id" = $2', summary: 'update "orders"' },
    { sqlText: 'delete from "cart_lines" where "cart_id" = $1', summary: 'delete from "cart_lines"' },
    { sqlText: 'select "id" from "products" where "name" = $1', summary: 'select from "products"' },
    {
      sqlText: "with moved as (select 1) insert into inbox (id) select id from moved",
      summary: "insert into inbox",
    },
    { sqlText: "COMMIT", summary: "commit" },
    { sqlText: "'secret' is not sql", summary: "(unrecognised statement)" },
  ])("$sqlText -> $summary", ({ sqlText, summary }) => {
    expect(statementSummary(sqlText)).toBe(summary);
  });
});
