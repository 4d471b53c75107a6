import { randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The operations API is for admins. Until accounts exist in the process, it is guarded by a
 * bearer token: MERCATO_OPS_TOKEN, or one generated on first start and kept in the data
 * directory (readable by its owner only), where the `mercato` command finds it.
 */
export async function loadOpsToken(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = opsTokenFile(dataDir);
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const token = randomBytes(24).toString("base64url");
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" }).catch(async (error) => {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    });
    return (await fs.readFile(file, "utf8")).trim();
  }
}

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
