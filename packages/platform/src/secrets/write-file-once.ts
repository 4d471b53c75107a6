import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";

/**
 * Creates `file` with `content` unless it exists, and answers what the file then holds. The content
 * is written whole to a file of its own, then linked into place: a process starting at the same
 * time never reads a half-written file (an empty one, just created), and the first link wins.
 */
export async function writeFileOnce(file: string, content: string, mode: number): Promise<string> {
  const draft = `${file}.${process.pid}.${randomBytes(6).toString("hex")}`;
  await fs.writeFile(draft, content, { mode, flag: "wx" });
  try {
    await fs.link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await fs.rm(draft, { force: true });
  }
  return fs.readFile(file, "utf8");
}
