/**
 * The limit the catalog is measured against: a bare Fastify server with one pg pool answering the
 * same product row from the same database, and a static JSON answer. No validation, no logging.
 */
import Fastify from "fastify";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.BENCH_CATALOG_DATABASE_URL, max: 10 });
const app = Fastify();
const staticBody = { id: "p1", name: "Teapot", price: { amount: 1999, currency: "EUR" } };

app.get<{ Params: { id: string } }>("/products/:id", async (request, reply) => {
  const { rows } = await pool.query("SELECT * FROM catalog.products WHERE id = $1", [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ status: 404 });
  return rows[0];
});
app.get("/static", async () => staticBody);

const url = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ url }));
