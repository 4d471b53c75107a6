import type { Host } from "@mercato/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, recordingLogger, startIdentity } from "./support.ts";

describe("a configured first admin", () => {
  let host: Host;
  let started: Awaited<ReturnType<typeof startIdentity>> | undefined;
  const log = recordingLogger();

  beforeAll(async () => {
    started = await startIdentity({
      env: { MERCATO_ADMIN_EMAIL: "Owner@Shop.Example", MERCATO_ADMIN_PASSWORD: "owner-password-1" },
      logger: log.logger,
    });
    ({ host } = started);
  });

  afterAll(async () => {
    await started?.close();
  });

  it("comes from MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD, instead of the default", async () => {
    const call = client(host.url);
    const login = await call("POST", "/api/auth/login", {
      json: { email: "owner@shop.example", password: "owner-password-1" },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email: "owner@shop.example", roles: ["admin"] });
    const defaultLogin = await call("POST", "/api/auth/login", {
      json: { email: "admin@mercato.local", password: "mercato-admin" },
    });
    expect(defaultLogin.status).toBe(401);
    expect(log.warnings()).toEqual([]);
  });
});
