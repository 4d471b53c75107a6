// Compiles the `mercato` command and every service into JavaScript under apps/cli/dist, so that
// `npm start` runs plain `node` with no TypeScript loader: the loader cost seconds at every start
// and over 100 MB of memory. Then builds the web storefront (apps/web) into apps/web/dist, which the
// gateway serves at `/`, and last the AWS Lambda functions' folder, apps/cli/dist/lambda
// (scripts/build-lambda.mjs). Runs on `npm install` (the `prepare` script) and `npm run build`.
//
// esbuild bundles Mercato's own packages and leaves every npm dependency to Node's resolver (native
// modules and WebAssembly files must stay where npm put them). Dynamic imports become chunks, so a
// quick command still loads only what it needs.

import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { buildLambda } from "./build-lambda.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, "apps/cli/dist");

/**
 * Packages that must stay where npm put them: native addons, WebAssembly and static files found
 * next to their own code, optional peers that are not installed, and `pg`, whose OpenTelemetry
 * instrumentation patches the driver's files as Node loads them (docs/observability.md).
 */
const external = [
  "@electric-sql/pglite",
  "@fastify/swagger-ui",
  "lmdb",
  "msgpackr-extract",
  "pg",
  "pg-native",
  "sharp",
];

/**
 * A service finds its migrations next to its source file (`new URL("../migrations/",
 * import.meta.url)`). In the bundle, `import.meta.url` is the bundle's own address, so each source
 * file's use of it is rewritten to that file's address relative to the bundle.
 */
const sourceFileUrls = {
  name: "source-file-urls",
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const relative = path.relative(outdir, args.path).split(path.sep).join("/");
      const address = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return { contents: source.replaceAll("import.meta.url", address), loader: "ts" };
    });
  },
};

// Built beside the old output and swapped in, so that a process starting meanwhile (another
// test run's) never finds the folder half written.
const staging = await mkdtemp(`${outdir}-`);
const result = await build({
  // `tracing` is loaded by apps/cli/bin/mercato.js before `main` when an OTLP endpoint is set.
  entryPoints: {
    main: path.join(root, "apps/cli/src/main.ts"),
    tracing: path.join(root, "apps/cli/src/tracing.ts"),
  },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  metafile: true,
  external,
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: 'import { createRequire as __mercatoRequire } from "node:module"; const require = __mercatoRequire(import.meta.url);',
  },
  plugins: [sourceFileUrls],
}).catch(async (error) => {
  await rm(staging, { recursive: true, force: true });
  throw error;
});
const retired = `${staging}-old`;
await rename(outdir, retired).catch(() => undefined);
await rename(staging, outdir);
await rm(retired, { recursive: true, force: true });
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `built ${path.relative(root, outdir)} (${Math.round(bytes / 1024)} KiB) from ${Object.keys(result.metafile.inputs).length} sources`,
);

// The web app's own Vite (its workspace may pin a newer one than the root's), loaded from where npm
// put it for apps/web. A failed build rejects, so `npm install` and `npm run build` fail loudly. Built
// beside the served folder and swapped in, like the CLI: a running gateway serves its files.
const webRoot = path.join(root, "apps/web");
const webDist = path.join(webRoot, "dist");
const vitePath = createRequire(path.join(webRoot, "package.json")).resolve("vite");
const vite = await import(pathToFileURL(vitePath).href);
const webStaging = await mkdtemp(`${webDist}-`);
// A production bundle even when called from a test run (NODE_ENV=test would keep Preact's debug code).
process.env.NODE_ENV = "production";
await vite
  .build({
    configFile: path.join(webRoot, "vite.config.ts"),
    mode: "production",
    logLevel: "warn",
    build: { outDir: webStaging, emptyOutDir: true },
  })
  .catch(async (error) => {
    await rm(webStaging, { recursive: true, force: true });
    throw error;
  });
const webRetired = `${webStaging}-old`;
await rename(webDist, webRetired).catch(() => undefined);
await rename(webStaging, webDist);
await rm(webRetired, { recursive: true, force: true });
console.log(`built ${path.relative(root, webDist)}`);

// The Lambda functions' folder (deploy/aws), with the web app just built in it.
await buildLambda(root);
