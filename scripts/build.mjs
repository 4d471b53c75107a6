// Compiles the `mercato` command and every service into JavaScript under apps/cli/dist, so that
// `npm start` runs plain `node` with no TypeScript loader: the loader cost seconds at every start
// and over 100 MB of memory. Runs on `npm install` (the `prepare` script) and `npm run build`.
//
// esbuild bundles Mercato's own packages and leaves every npm dependency to Node's resolver (native
// modules and WebAssembly files must stay where npm put them). Dynamic imports become chunks, so a
// quick command still loads only what it needs.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, "apps/cli/dist");

/** npm packages stay external; Mercato's workspace packages are bundled. */
const externalDependencies = {
  name: "external-dependencies",
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@mercato/") ? undefined : { path: args.path, external: true },
    );
  },
};

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

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: path.join(root, "apps/cli/src/main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  metafile: true,
  plugins: [externalDependencies, sourceFileUrls],
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `built ${path.relative(root, outdir)} (${Math.round(bytes / 1024)} KiB) from ${Object.keys(result.metafile.inputs).length} sources`,
);
