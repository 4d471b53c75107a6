import { readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

export class DataDirectoryInUseError extends Error {
  override name = "DataDirectoryInUseError";
}

/** Lock files this process holds, so that a forced exit can still give them back. */
const heldLocks = new Set<string>();

/**
 * Claims the data directory for this process. PGlite and the embedded bus each assume they are the
 * only process using their files: two processes on one directory would corrupt the database and
 * deliver the same messages twice. A lock left by a process that no longer runs is taken over.
 */
export async function lockDataDirectory(dataDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, "mercato.lock");
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: "wx" });
      heldLocks.add(file);
      return async () => {
        heldLocks.delete(file);
        await fs.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await fs.readFile(file, "utf8").catch(() => "")).trim());
      if (holder && holder !== process.pid && isRunning(holder)) {
        throw new DataDirectoryInUseError(
          `${dataDir} is in use by another Mercato process (pid ${holder}); stop it or choose another MERCATO_DATA_DIR`,
        );
      }
      await fs.rm(file, { force: true });
    }
  }
}

/**
 * Removes this process's locks at once, for an exit that cannot wait for an orderly close (a
 * second Ctrl-C). A lock that another process has taken over since is left alone.
 */
export function releaseDataDirectoryLocksSync(): void {
  for (const file of heldLocks) {
    heldLocks.delete(file);
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone: nothing to give back.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
