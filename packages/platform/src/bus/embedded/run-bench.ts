import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchEmbeddedTransport } from "./bench.ts";

/** `node --import tsx packages/platform/src/bus/embedded/run-bench.ts [events]` (default 50,000). */
const events = Number(process.argv[2] ?? 50_000);
const dataDir = mkdtempSync(join(tmpdir(), "mercato-bus-bench-"));
try {
  const result = await benchEmbeddedTransport({ events, dataDir });
  console.log(JSON.stringify({ events, ...result }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
