/**
 * The limit the catalog is measured against: a bare Fastify server with one pg pool answering the
 * same product row from the same database, the same search (the SQL text and parameters catalog's
 * own store builds for it, captured once at start), and a static JSON answer. No validation, no
 * logging, no query builder at run time.
 */
import Fastify from "fastify";
import {
  type CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  type QueryResult,
} from "kysely";
import pg from "pg";
import { searchProducts } from "../../services/catalog/src/store/products.ts";
import type { CatalogTables } from "../../services/catalog/src/store/tables.ts";

// Catalog's schema first on the search path, as catalog's own connections have it.
const pool = new pg.Pool({
  connectionString: process.env.BENCH_CATALOG_DATABASE_URL,
  max: 10,
  options: "-c search_path=catalog,public",
});
const app = Fastify();
const staticBody = { id: "p1", name: "Teapot", price: { amount: 1999, currency: "EUR" } };
const search = await searchStatement(process.env.BENCH_SEARCH_QUERY ?? "", 20);

app.get<{ Params: { id: string } }>("/products/:id", async (request, reply) => {
  const { rows } = await pool.query("SELECT * FROM catalog.products WHERE id = $1", [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ status: 404 });
  return rows[0];
});
app.get("/search", async () => {
  const { rows } = await pool.query(search.sql, [...search.parameters]);
  return { items: rows.slice(0, 20) };
});
app.get("/static", async () => staticBody);

const url = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ url }));

/** The statement catalog runs for a relevance search of `q`, as its store compiles it. */
async function searchStatement(q: string, limit: number): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const capturing: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      captured = query;
      return { rows: [] };
    },
    streamQuery: () => {
      throw new Error("not streamed");
    },
  };
  const dialect = new PostgresDialect({ pool: {} as pg.Pool });
  const db = new Kysely<CatalogTables>({
    dialect: {
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (kysely) => dialect.createIntrospector(kysely),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createDriver: () => ({
        init: async () => {},
        acquireConnection: async () => capturing,
        beginTransaction: async () => {},
        commitTransaction: async () => {},
        rollbackTransaction: async () => {},
        releaseConnection: async () => {},
        destroy: async () => {},
      }),
    },
  });
  await searchProducts(db, {
    q,
    category: undefined,
    minPrice: undefined,
    maxPrice: undefined,
    sort: "relevance",
    limit,
    after: undefined,
  });
  if (!captured) throw new Error("catalog's search ran no statement");
  return captured;
}
