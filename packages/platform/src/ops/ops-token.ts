import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { writeFileOnce } from "../secrets/write-file-once.ts";

/**
 * The operations API is for admins. Until accounts exist in the process, it is guarded by a
 * bearer token: MERCATO_OPS_TOKEN, or one generated on first start and kept in the data
 * directory (readable by its owner only), where the `mercato` command finds it.
 */
export async function loadOpsToken(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = opsTokenFile(dataDir);
  let stored: string;
  try {
    stored = await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fs.mkdir(dataDir, { recursive: true });
    // Linked into place whole: a process starting at the same time never reads an empty file.
    stored = await writeFileOnce(file, `${randomBytes(24).toString("base64url")}\n`, 0o600);
  }
  const token = stored.trim();
  // An empty token would let an empty bearer in.
  if (token.length < minimumTokenLength) {
    throw new Error(
      `${file} holds no operations token (at least ${minimumTokenLength} characters): delete it to have one generated, or set MERCATO_OPS_TOKEN`,
    );
  }
  return token;
}

const minimumTokenLength = 16;

export function opsTokenFile(dataDir: string): string {
  return path.join(dataDir, "ops-token");
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith("Bearer ") ? Buffer.from(header.slice(7)) : undefined;
  const expected = Buffer.from(token);
  return (
    presented !== undefined && presented.length === expected.length && timingSafeEqual(presented, expected)
  );
}
