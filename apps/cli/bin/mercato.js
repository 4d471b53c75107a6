#!/usr/bin/env node
// Runs the compiled command (apps/cli/dist, built by `npm install` or `npm run build`); plain
// Node, no TypeScript loader. Stack traces point into the TypeScript sources through source maps.
import { existsSync } from "node:fs";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  console.error("mercato is not built yet: run `npm install` or `npm run build` in the repository");
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(main.href);
