import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Vitest's global setup: compiles the `mercato` command before any test spawns it, so that tests
 * that run processes always run the sources as they are now, the way `npm start` runs them.
 * Outside CI a failed build only warns: a developer running one service's tests while another
 * part of the tree is mid-edit is not stopped by it (tests that spawn the CLI then run the last
 * build). Under CI=true it fails the run.
 */
export default function buildCli(): void {
  const script = fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url));
  try {
    execFileSync(process.execPath, [script], { stdio: "inherit" });
  } catch (error) {
    if (process.env.CI === "true") throw error;
    console.warn("The CLI did not build; tests that spawn `mercato` run its last build.");
  }
}
