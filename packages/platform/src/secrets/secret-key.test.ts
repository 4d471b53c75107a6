import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSealedBox } from "./sealed-box.ts";
import { loadSecretKey, secretKeyFile } from "./secret-key.ts";

describe("loadSecretKey", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-secret-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });

  it("uses the configured base64 key and writes no file", async () => {
    const dataDir = await tempDir();
    const key = randomBytes(32);
    expect((await loadSecretKey(key.toString("base64"), dataDir)).equals(key)).toBe(true);
    await expect(fs.stat(secretKeyFile(dataDir))).rejects.toThrow(/ENOENT/);
  });

  it("refuses a configured key of the wrong length or encoding", async () => {
    const dataDir = await tempDir();
    await expect(loadSecretKey(randomBytes(16).toString("base64"), dataDir)).rejects.toThrow(
      /MERCATO_SECRET_KEY must hold a base64-encoded 32-byte key \(got 16 bytes\)/,
    );
    await expect(loadSecretKey("not a key!", dataDir)).rejects.toThrow(/MERCATO_SECRET_KEY/);
  });

  it("generates a key once into the data directory, readable by its owner only, and reuses it", async () => {
    const dataDir = path.join(await tempDir(), "nested");
    const first = await loadSecretKey(undefined, dataDir);
    expect(first.length).toBe(32);
    const stat = await fs.stat(secretKeyFile(dataDir));
    expect(stat.mode & 0o777).toBe(0o600);
    const again = await loadSecretKey(undefined, dataDir);
    expect(again.equals(first)).toBe(true);
    const sealed = createSealedBox(first).seal("tok_visa", "payment-token");
    expect(createSealedBox(again).open(sealed, "payment-token")).toBe("tok_visa");
  });

  it("agrees on one key when several processes start at once", async () => {
    const dataDir = await tempDir();
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadSecretKey(undefined, dataDir)));
    for (const key of keys) expect(key.equals(keys[0] as Buffer)).toBe(true);
  });

  it("refuses a corrupt key file instead of replacing it", async () => {
    const dataDir = await tempDir();
    await fs.writeFile(secretKeyFile(dataDir), "short\n", { mode: 0o600 });
    await expect(loadSecretKey(undefined, dataDir)).rejects.toThrow(/secret-key must hold/);
  });
});
