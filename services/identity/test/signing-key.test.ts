import fs from "node:fs/promises";
import type { Host } from "@mercato/platform";
import { type Kysely, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { IdentityTables } from "../src/index.ts";
import { ensureSigningKey } from "../src/store/signing-keys.ts";
import { client, startIdentity, uniqueEmail } from "./support.ts";

function identityDb(host: Host): Kysely<IdentityTables> {
  const identity = host.services.find((service) => service.definition.name === "identity");
  return identity?.context.db as Kysely<IdentityTables>;
}

describe("the signing key and the first admin", () => {
  let host: Host | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await host?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("survives a restart on the same data directory, with the tokens it signed", async () => {
    const first = await startIdentity();
    host = first.host;
    dataDir = first.dataDir;
    const call = client(first.host.url);
    const registered = await call("POST", "/api/auth/register", {
      json: { email: uniqueEmail(), password: "restart password", name: "Before Restart" },
    });
    expect(registered.status).toBe(201);
    const keysBefore = (await call("GET", "/.well-known/jwks.json")).body;
    const admin = { email: "admin@mercato.local", password: "mercato-admin" };
    const adminBefore = await call("POST", "/api/auth/login", { json: admin });
    await first.host.close();
    host = undefined;

    ({ host } = await startIdentity({ dataDir: first.dataDir }));
    const again = client(host.url);
    expect((await again("GET", "/.well-known/jwks.json")).body).toEqual(keysBefore);
    const me = await again("GET", "/api/me", { token: registered.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(registered.body.user);
    const refreshed = await again("POST", "/api/auth/refresh", {
      json: { refreshToken: registered.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const adminAfter = await again("POST", "/api/auth/login", { json: admin });
    expect(adminAfter.body.user).toEqual(adminBefore.body.user);
    const counts = await sql<{ count: number }>`SELECT count(*)::int AS count FROM signing_keys`.execute(
      identityDb(host),
    );
    expect(counts.rows[0]?.count).toBe(1);
  });

  it("is created once when several starts race for it", async () => {
    if (!host) throw new Error("the previous test leaves a host running");
    const db = identityDb(host);
    await db.deleteFrom("signing_keys").execute();
    await Promise.all(Array.from({ length: 4 }, () => ensureSigningKey(db)));
    const keys = await db.selectFrom("signing_keys").select(["kid", "active"]).execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.active).toBe(true);
  });
});
