import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Vitest's global setup: every test process gets one temporary directory of this run as its
 * TMPDIR, so that whatever a test, a child process or a library leaves in the temporary folder
 * (a database that a failed test never closed, a crashed child's files) is removed with it at the
 * end. Tests still remove what they make; what was left is named, so that it gets fixed.
 */
export default function scratchDirectory(): () => void {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "mercato-tests-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  return () => {
    // tsx keeps its compile cache for the run's child processes in `tsx-<uid>`: a cache, not a leak.
    const left = readdirSync(scratch).filter((name) => !/^tsx-\d+$/.test(name));
    if (left.length > 0) console.warn(`Tests left in the temporary folder (removed now): ${left.join(", ")}`);
    rmSync(scratch, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
