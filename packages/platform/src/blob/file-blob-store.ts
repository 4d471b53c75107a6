import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { BlobStore, StoredBlob } from "./blob.ts";
import { checkContentType, fallbackContentType } from "./blob-content-type.ts";
import { blobKeySegments } from "./blob-key.ts";

/**
 * Each blob is a file at its key's path, and its content type sits in a hidden sidecar next to it
 * (`.<name>.meta.json`), which no key can name. Writes go to a temporary file renamed into place,
 * so a reader sees the old blob or the new one, never half of one.
 */
export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    checkContentType(contentType);
    const { file, sidecar } = this.paths(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // The sidecar first: a blob whose bytes are visible always has its content type.
    await writeAtomically(sidecar, JSON.stringify({ contentType }));
    await writeAtomically(file, bytes);
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const { file, sidecar } = this.paths(key);
    const bytes = await readIfExists(file);
    if (bytes === undefined) return undefined;
    const meta = await readIfExists(sidecar);
    const contentType = meta === undefined ? fallbackContentType : parseContentType(meta);
    return { bytes, contentType };
  }

  async delete(key: string): Promise<void> {
    const { file, sidecar } = this.paths(key);
    await fs.rm(file, { force: true });
    await fs.rm(sidecar, { force: true });
  }

  private paths(key: string): { file: string; sidecar: string } {
    const segments = blobKeySegments(key);
    const file = path.join(this.root, ...segments);
    return { file, sidecar: path.join(path.dirname(file), `.${path.basename(file)}.meta.json`) };
  }
}

async function writeAtomically(target: string, data: Uint8Array | string): Promise<void> {
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const handle = await fs.open(temporary, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent segment is a blob, so this key cannot exist.
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

function parseContentType(meta: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(meta.toString("utf8"));
    const contentType = (parsed as { contentType?: unknown }).contentType;
    return typeof contentType === "string" ? contentType : fallbackContentType;
  } catch {
    return fallbackContentType;
  }
}
