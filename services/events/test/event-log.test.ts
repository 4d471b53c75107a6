import { defineEvent } from "@mercato/contracts";
import type { Host } from "@mercato/platform";
import { startTestHost, type TestAuthority, type TestHost } from "@mercato/platform/testing";
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
  let test: TestHost;

  beforeAll(async () => {
    test = await startTestHost({ services: [eventsService] });
    ({ host } = test);
    authority = test.authority as TestAuthority;
    admin = await authority.token({ roles: ["admin"] });
  });

  afterAll(async () => {
    await test?.close();
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

  it("follows one correlation id, and pages through every event once", async () => {
    const chain = [1, 2, 3, 4, 5].map((n) =>
      (n % 2 ? ThingHappened : OtherHappened).create({ n: 100 + n }, { correlationId: "checkout-7" }),
    );
    await host.transport.publish(chain);
    await expect.poll(async () => (await list("?limit=100")).body.items.length).toBe(8);
    const followed = await list("?correlationId=checkout-7");
    expect(followed.body.items.map((event: { id: string }) => event.id).sort()).toEqual(
      chain.map((event) => event.id).sort(),
    );
    expect((await list("?correlationId=c2")).body.items.map((event: { id: string }) => event.id)).toEqual([
      expect.any(String),
    ]);
    const things = await list("?correlationId=checkout-7&source=mercato.things");
    expect(things.body.items.map((event: { detail: { n: number } }) => event.detail.n)).toEqual([
      105, 103, 101,
    ]);

    const everything = (await list("?limit=100")).body;
    expect(everything.nextCursor).toBeNull();
    for (const query of ["", "&correlationId=checkout-7", "&source=mercato.things"]) {
      const expected = (await list(`?limit=100${query}`)).body.items.map((event: { id: string }) => event.id);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await list(
          `?limit=3${query}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        paged.push(...page.body.items.map((event) => event.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged, query).toEqual(expected);
    }
    expect(everything.items).toHaveLength(8);
  });

  it("refuses a cursor it did not hand out", async () => {
    const forged = Buffer.from(JSON.stringify({ before: -1 })).toString("base64url");
    const otherList = Buffer.from(JSON.stringify({ createdAt: "2024-01-01T00:00:00.000Z" })).toString(
      "base64url",
    );
    for (const cursor of ["not a cursor", "bm90IGpzb24", forged, otherList]) {
      const answer = await list(`?cursor=${encodeURIComponent(cursor)}`);
      expect(answer, cursor).toMatchObject({ status: 400, type: "application/problem+json" });
      expect(answer.body.errors?.[0]?.path, cursor).toBe("query.cursor");
    }
    expect((await list(`?cursor=${"A".repeat(600)}`)).status).toBe(400);
  });

  it("refuses bad queries and anyone but an admin", async () => {
    for (const query of [
      "?limit=0",
      "?limit=101",
      "?limit=many",
      "?source=",
      "?correlationId=",
      "?colour=red",
    ]) {
      const answer = await list(query);
      expect(answer, query).toMatchObject({ status: 400, type: "application/problem+json" });
      expect(answer.body.errors?.[0]?.path, query).toMatch(/^query/);
    }
    expect((await list("", await authority.token({ roles: ["customer"] }))).status).toBe(403);
    expect((await list("", null)).status).toBe(401);
    expect((await list("", "not.a.token")).status).toBe(401);
  });
});
