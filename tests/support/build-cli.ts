import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Vitest's global setup: compiles the `mercato` command before any test spawns it, so that tests
 * that run processes always run the sources as they are now, the way `npm start` runs them.
 */
export default function buildCli(): void {
  const script = fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url));
  execFileSync(process.execPath, [script], { stdio: "inherit" });
}
