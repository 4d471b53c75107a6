// Builds the AWS Lambda entry points (apps/cli/src/lambda) into apps/cli/dist/lambda: a folder that
// runs on its own, since a function gets that folder and nothing else (deploy/aws deploys it as the
// functions' code). Called by scripts/build.mjs after the CLI, so `npm run build` makes both.
//
// Unlike the CLI's bundle it takes its npm dependencies in, except those that must stay files on
// disk, which are copied beside it with what they depend on: sharp (a native addon and libvips,
// loaded at the first image upload; the copy holds this machine's build of it, which is the one
// Lambda runs only when this machine is Linux x64 like the functions) and @fastify/swagger-ui
// (static files found next to its code). The embedded bus's lmdb stays out: a function runs on
// BUS_URL, and the embedded bus loads lmdb only when it opens. Migrations and the web app are
// copied to the places the rewritten `import.meta.url`s point at.

import { cp, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

/** Packages that stay files, copied into the folder's node_modules with their dependencies. */
const copied = ["sharp", "@fastify/swagger-ui"];
/** Packages never loaded in a function: the embedded bus's store, and pg's optional native driver. */
const absent = ["lmdb", "msgpackr-extract", "pg-native"];

export async function buildLambda(root) {
  const outdir = path.join(root, "apps/cli/dist/lambda");
  const staging = await mkdtemp(`${outdir}-`);
  try {
    const result = await build({
      entryPoints: {
        "http-handler": path.join(root, "apps/cli/src/lambda/http-handler.ts"),
        "sqs-handler": path.join(root, "apps/cli/src/lambda/sqs-handler.ts"),
        "scheduled-handler": path.join(root, "apps/cli/src/lambda/scheduled-handler.ts"),
      },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node22",
      sourcemap: true,
      sourcesContent: false,
      logLevel: "warning",
      metafile: true,
      external: [...copied, ...absent],
      banner: {
        js: 'import { createRequire as __mercatoRequire } from "node:module"; const require = __mercatoRequire(import.meta.url);',
      },
      plugins: [repositoryFileUrls(root)],
    });
    await writeFile(path.join(staging, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
    for (const service of await readdir(path.join(root, "services"))) {
      const migrations = path.join(root, "services", service, "migrations");
      if (await exists(migrations)) {
        await cp(migrations, path.join(staging, "services", service, "migrations"), { recursive: true });
      }
    }
    const web = path.join(root, "apps/web/dist");
    if (await exists(web)) await cp(web, path.join(staging, "apps/web/dist"), { recursive: true });
    for (const directory of await packageClosure(root, copied)) {
      await cp(path.join(root, directory), path.join(staging, directory), {
        recursive: true,
        dereference: true,
      });
    }
    const retired = `${staging}-old`;
    await rename(outdir, retired).catch(() => undefined);
    await rename(staging, outdir);
    await rm(retired, { recursive: true, force: true });
    const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    console.log(`built ${path.relative(root, outdir)} (${Math.round(bytes / 1024)} KiB of code)`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * In the folder, every chunk sits at its top, so a source file's `import.meta.url` becomes its
 * path from the repository's root resolved against the chunk: a service's `../migrations/` is
 * then the folder's services/<name>/migrations, where they are copied.
 */
function repositoryFileUrls(root) {
  return {
    name: "repository-file-urls",
    setup(plugin) {
      plugin.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.url") || args.path.includes(`${path.sep}node_modules${path.sep}`)) {
          return undefined;
        }
        const relative = path.relative(root, args.path).split(path.sep).join("/");
        const address = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
        return { contents: source.replaceAll("import.meta.url", address), loader: "ts" };
      });
    },
  };
}

/**
 * The installed folders (relative to the root, like node_modules/@img/sharp-linux-x64) of the
 * packages named and of everything they depend on, optional dependencies that are installed
 * included, found the way Node finds them: in the nearest node_modules up from the dependent.
 */
async function packageClosure(root, names) {
  const found = new Set();
  const visit = async (name, from) => {
    const directory = await installedPackage(root, name, from);
    if (!directory || found.has(directory)) return;
    found.add(directory);
    const manifest = JSON.parse(await readFile(path.join(root, directory, "package.json"), "utf8"));
    const dependencies = { ...manifest.optionalDependencies, ...manifest.dependencies };
    for (const dependency of Object.keys(dependencies)) await visit(dependency, directory);
  };
  for (const name of names) await visit(name, "");
  return [...found].sort();
}

async function installedPackage(root, name, from) {
  const parts = from === "" ? [] : from.split("/");
  for (let length = parts.length; length >= 0; length--) {
    if (length > 0 && parts[length - 1] === "node_modules") continue;
    const candidate = [...parts.slice(0, length), "node_modules", name].join("/");
    if (await exists(path.join(root, candidate, "package.json"))) return candidate;
  }
  return undefined;
}

async function exists(file) {
  return stat(file).then(
    () => true,
    () => false,
  );
}
