import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadOpsToken, opsTokenFile } from "./ops-token.ts";

describe("the generated operations token", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });

  it("is one token for every process starting at once on a fresh data directory, never an empty one", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-ops-token-"));
    dirs.push(dataDir);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => loadOpsToken(undefined, dataDir)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await fs.readFile(opsTokenFile(dataDir), "utf8")).trim()).toBe(tokens[0]);
    expect((await fs.stat(opsTokenFile(dataDir))).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dataDir)).toEqual(["ops-token"]);
  });

  it("refuses a token file that holds no token, rather than letting an empty bearer in", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-ops-token-"));
    dirs.push(dataDir);
    await fs.writeFile(opsTokenFile(dataDir), "\n");
    await expect(loadOpsToken(undefined, dataDir)).rejects.toThrow(
      `${opsTokenFile(dataDir)} holds no operations token (at least 16 characters): delete it to have one generated, or set MERCATO_OPS_TOKEN`,
    );
  });

  it("is the configured one when MERCATO_OPS_TOKEN is set, and writes nothing", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-ops-token-"));
    dirs.push(dataDir);
    expect(await loadOpsToken("configured-token-of-20", dataDir)).toBe("configured-token-of-20");
    expect(await fs.readdir(dataDir)).toEqual([]);
  });
});
