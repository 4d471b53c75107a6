import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { dropServiceDatabases, externalServices, requireServer } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityService } from "../src/index.ts";
import { client } from "./support.ts";

const available = await requireServer("postgres");

/** Two identity processes sharing one PostgreSQL database, as a scaled-out deployment runs them. */
describe.skipIf(!available)("identity processes starting at once on PostgreSQL", () => {
  const hosts: Host[] = [];
  const dataDirs: string[] = [];
  // A database of this run's own: a fixed name would be dropped under another run using it.
  const prefix = `tidentity${process.pid}${Date.now() % 100_000}`;

  beforeAll(async () => {
    const start = async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-identity-pg-"));
      dataDirs.push(dataDir);
      return startHost({
        config: {
          ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }),
          databaseUrl: externalServices.postgres.url,
          databasePrefix: prefix,
          port: 0,
        },
        services: [identityService],
        logger: silentLogger(),
      });
    };
    const started = await Promise.allSettled([start(), start()]);
    for (const result of started) if (result.status === "fulfilled") hosts.push(result.value);
    for (const result of started) if (result.status === "rejected") throw result.reason;
  });

  afterAll(async () => {
    for (const host of hosts) await host.close();
    for (const dataDir of dataDirs) await fs.rm(dataDir, { recursive: true, force: true });
    if (available) await dropServiceDatabases(["identity"], prefix);
  });

  it("agree on one signing key and one admin", async () => {
    const [first, second] = hosts.map((host) => client(host.url));
    if (!first || !second) throw new Error("two hosts must be running");
    const keys = (await first("GET", "/.well-known/jwks.json")).body;
    expect(keys.keys).toHaveLength(1);
    expect((await second("GET", "/.well-known/jwks.json")).body).toEqual(keys);

    const admin = { email: "admin@mercato.local", password: "mercato-admin" };
    const viaFirst = await first("POST", "/api/auth/login", { json: admin });
    const viaSecond = await second("POST", "/api/auth/login", { json: admin });
    expect(viaFirst.status).toBe(200);
    expect(viaSecond.body.user).toEqual(viaFirst.body.user);

    // A token from one process is good at the other, and a refresh token rotates across them.
    expect((await second("GET", "/api/me", { token: viaFirst.body.accessToken })).status).toBe(200);
    const rotated = await second("POST", "/api/auth/refresh", {
      json: { refreshToken: viaFirst.body.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const reused = await first("POST", "/api/auth/refresh", {
      json: { refreshToken: viaFirst.body.refreshToken },
    });
    expect(reused.status).toBe(401);
  });
});
