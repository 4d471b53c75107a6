#!/usr/bin/env node
// Runs the compiled command (apps/cli/dist, built by `npm install` or `npm run build`); plain
// Node, no TypeScript loader. Stack traces point into the TypeScript sources through source maps.
import { existsSync } from "node:fs";
import module from "node:module";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  console.error("mercato is not built yet: run `npm install` or `npm run build` in the repository");
  process.exit(1);
}
process.setSourceMapsEnabled(true);
// Node 22+ keeps compiled code between runs, which shortens every start after the first.
module.enableCompileCache?.();
// With an OTLP endpoint, tracing starts before the bundle loads, so that the pg driver is
// instrumented when it is first required (docs/observability.md); without one nothing more loads.
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
  await import(new URL("../dist/tracing.js", import.meta.url).href);
}
await import(main.href);
