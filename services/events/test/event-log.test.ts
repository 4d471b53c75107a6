import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defineEvent } from "@mercato/contracts";
import { type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { createTestAuthority, type TestAuthority } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { eventsService } from "../src/index.ts";

const ThingHappened = defineEvent({
  source: "mercato.things",
  detailType: "ThingHappened",
  description: "test",
  detail: z.object({ n: z.number() }),
});
const OtherHappened = defineEvent({
  source: "mercato.others",
  detailType: "OtherHappened",
  description: "test",
  detail: z.object({ n: z.number() }),
});

describe("the event log", () => {
  let host: Host;
  let authority: TestAuthority;
  let admin: string;
  let dataDir: string | undefined;

  beforeAll(async () => {
    authority = await createTestAuthority();
    admin = await authority.token({ roles: ["admin"] });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-events-"));
    host = await startHost({
      config: { ...loadConfig({ MERCATO_DATA_DIR: dataDir, MERCATO_SEED: "none" }), port: 0 },
      services: [eventsService],
      logger: silentLogger(),
      auth: authority.verifier,
    });
  });

  afterAll(async () => {
    await host?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const list = async (query: string, token: string | null = admin) => {
    const response = await fetch(new URL(`/api/ops/events${query}`, host.url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    // biome-ignore lint/suspicious/noExplicitAny: checked field by field.
    const body: any = await response.json();
    return { status: response.status, type: response.headers.get("content-type"), body };
  };

  it("keeps every routed event, newest first, once however often it is delivered", async () => {
    const first = ThingHappened.create({ n: 1 }, { correlationId: "c1" });
    const second = OtherHappened.create({ n: 2 }, { correlationId: "c2" });
    const third = ThingHappened.create({ n: 3 }, { correlationId: "c3" });
    await host.transport.publish([first]);
    await host.transport.publish([second]);
    await host.transport.publish([third, first]);
    await expect.poll(async () => (await list("")).body.items.length).toBe(3);
    const all = await list("");
    expect(all.body.items.map((event: { id: string }) => event.id)).toEqual([third.id, second.id, first.id]);
    expect(all.body.items[0]).toEqual(third);
  });

  it("filters by source and detail-type and bounds the page", async () => {
    const things = await list("?source=mercato.things");
    expect(things.body.items.map((event: { detail: { n: number } }) => event.detail.n)).toEqual([3, 1]);
    const others = await list("?detailType=OtherHappened");
    expect(others.body.items.map((event: { detail: { n: number } }) => event.detail.n)).toEqual([2]);
    expect((await list("?limit=1")).body.items).toHaveLength(1);
    expect((await list("?source=nobody")).body.items).toEqual([]);
  });

  it("refuses bad queries and anyone but an admin", async () => {
    for (const query of ["?limit=0", "?limit=101", "?limit=many", "?source=", "?colour=red"]) {
      const answer = await list(query);
      expect(answer, query).toMatchObject({ status: 400, type: "application/problem+json" });
      expect(answer.body.errors?.[0]?.path, query).toMatch(/^query/);
    }
    expect((await list("", await authority.token({ roles: ["customer"] }))).status).toBe(403);
    expect((await list("", null)).status).toBe(401);
    expect((await list("", "not.a.token")).status).toBe(401);
  });
});
