import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { secretKeyBytes } from "./sealed-box.ts";
import { writeFileOnce } from "./write-file-once.ts";

/**
 * The key that seals secrets: MERCATO_SECRET_KEY (base64 of 32 bytes), or one generated on first
 * start and kept in the data directory (readable by its owner only). Every process that opens
 * what another sealed must share it, so distributed deployments set the variable.
 */
export async function loadSecretKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return decodeKey(configured, "MERCATO_SECRET_KEY");
  const file = secretKeyFile(dataDir);
  try {
    return decodeKey(await fs.readFile(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fs.mkdir(dataDir, { recursive: true });
    const key = `${randomBytes(secretKeyBytes).toString("base64")}\n`;
    return decodeKey(await writeFileOnce(file, key, 0o600), file);
  }
}

export function secretKeyFile(dataDir: string): string {
  return path.join(dataDir, "secret-key");
}

function decodeKey(encoded: string, from: string): Buffer {
  const text = encoded.trim();
  const key = Buffer.from(text, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== secretKeyBytes) {
    throw new Error(
      `${from} must hold a base64-encoded ${secretKeyBytes}-byte key (got ${key.length} bytes); create one with: openssl rand -base64 32`,
    );
  }
  return key;
}
