import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCompress from "@fastify/compress";
import fastifyStatic from "@fastify/static";
import { HttpProblem, pageDirectives, sendProblem } from "@mercato/platform";
import type { FastifyInstance } from "fastify";

/**
 * The storefront's client routes (apps/web/src/main.tsx): each answers index.html so that a
 * reload or a shared link opens the page. Listing them, rather than answering every unknown path,
 * keeps unknown paths answering a 404 problem, and the API's prefixes (/api, /aws, /docs, ...) out
 * of reach.
 */
export const webAppRoutes = [
  "/",
  "/search",
  "/products/:id",
  "/cart",
  "/checkout",
  "/orders",
  "/orders/:id",
  "/notifications",
  "/account",
  "/console",
  "/console/orders",
  "/console/orders/:id",
  "/console/products",
  "/console/products/:id",
  "/console/webhooks",
  "/console/webhooks/:id",
  "/console/api-keys",
] as const;

/**
 * Where the build (scripts/build.mjs) puts the web app. The CLI bundle rewrites `import.meta.url`
 * to this file's address, so the same relative path holds from the sources and from apps/cli/dist.
 */
export const webAppDist = fileURLToPath(new URL("../../../../apps/web/dist/", import.meta.url));

const pagePolicy = { contentSecurityPolicy: { useDefaults: false, directives: pageDirectives } };

/**
 * Serves the built storefront: hashed files under /assets cached for a year (a new build has new
 * names), index.html never cached without asking again, both compressed (gzip or brotli, as the
 * browser accepts). Registered in a scope of its own so that compression leaves API answers alone.
 * Answers false when there is no build to serve (the app was never built).
 */
export async function serveWebApp(app: FastifyInstance, root = webAppDist): Promise<boolean> {
  const indexFile = path.join(root, "index.html");
  if (!existsSync(indexFile)) return false;
  await app.register(async (scope) => {
    await scope.register(fastifyCompress, { global: true, threshold: 1024 });
    await scope.register(serveAssets, { prefix: "/assets", root: path.join(root, "assets") });
    for (const url of webAppRoutes) {
      scope.get(url, { schema: { hide: true }, helmet: pagePolicy }, async (_request, reply) =>
        // Read at every request: a rebuild swaps the folder while the server runs.
        reply
          .header("cache-control", "no-cache")
          .type("text/html; charset=utf-8")
          .send(await readFile(indexFile)),
      );
    }
  });
  return true;
}

/**
 * The hashed files, in a scope of their own so that a missing one answers the API's 404 problem
 * (the shared handler would call it a 405, since a HEAD route matches).
 */
async function serveAssets(scope: FastifyInstance, { root }: { root: string }): Promise<void> {
  scope.setNotFoundHandler((request, reply) =>
    sendProblem(reply, HttpProblem.notFound(`No file at ${request.url.split("?")[0]}`)),
  );
  await scope.register(fastifyStatic, {
    root,
    index: false,
    cacheControl: false,
    decorateReply: false,
    setHeaders(reply) {
      reply.header("cache-control", "public, max-age=31536000, immutable");
    },
  });
}
