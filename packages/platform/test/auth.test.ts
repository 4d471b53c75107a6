import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Host, loadConfig, silentLogger, startHost } from "../src/index.ts";
import { createTestAuthority, type TestAuthority } from "../src/testing/index.ts";

describe("access tokens on the operations API", () => {
  let host: Host;
  let authority: TestAuthority;
  let dataDir: string | undefined;

  beforeAll(async () => {
    authority = await createTestAuthority();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-auth-"));
    host = await startHost({
      config: { ...loadConfig({ MERCATO_DATA_DIR: dataDir }), port: 0 },
      services: [],
      logger: silentLogger(),
      auth: authority.verifier,
    });
  });

  afterAll(async () => {
    await host?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const get = async (authorization?: string) => {
    const response = await fetch(new URL("/api/ops/queues", host.url), {
      headers: authorization ? { authorization } : {},
    });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: (await response.json()) as { detail?: string },
    };
  };

  it("lets an admin in", async () => {
    const answer = await get(`Bearer ${await authority.token({ roles: ["admin"] })}`);
    expect(answer.status).toBe(200);
  });

  it("refuses a customer with 403", async () => {
    const answer = await get(`Bearer ${await authority.token({ roles: ["customer"] })}`);
    expect(answer).toMatchObject({ status: 403, type: "application/problem+json" });
    expect(answer.body.detail).toBe("Operations need the admin role");
  });

  it("refuses expired, tampered, foreign and malformed tokens with 401", async () => {
    const expired = await authority.token({ roles: ["admin"], expiresIn: "-1m" });
    const [header, payload, signature] = (await authority.token({ roles: ["customer"] })).split(".");
    const promoted = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), roles: ["admin"] }),
    ).toString("base64url");
    const foreign = await (await createTestAuthority()).token({ roles: ["admin"] });
    for (const token of [expired, `${header}.${promoted}.${signature}`, foreign, "not-a-jwt"]) {
      const answer = await get(`Bearer ${token}`);
      expect(answer, token).toMatchObject({ status: 401, type: "application/problem+json" });
    }
    expect((await get("Basic dXNlcjpwYXNz")).status).toBe(401);
  });
});
