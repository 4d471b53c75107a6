import type { EventEnvelope } from "@mercato/contracts";
import { createTestAuthority, startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsService } from "../src/index.ts";

let test: TestHost;
let admin: string;
let customer: string;

beforeAll(async () => {
  const authority = await createTestAuthority();
  test = await startTestHost({
    services: [eventsService],
    auth: authority,
    record: { source: [{ prefix: "test." }] },
  });
  admin = await authority.token({ roles: ["admin"] });
  customer = await authority.token({ roles: ["customer"] });
});

afterAll(async () => {
  await test?.close();
});

const createKey = async (name: string) => {
  const created = await test.call("POST", "/api/api-keys", { token: admin, body: { name } });
  expect(created.status).toBe(201);
  return created.body;
};
const put = (entries: unknown, token: string | undefined = admin) =>
  test.call("POST", "/api/events", { token, body: { Entries: entries } });
const entry = (n: number, extra: Record<string, unknown> = {}) => ({
  Source: "test.shop",
  DetailType: "Thing Happened",
  Detail: JSON.stringify({ n }),
  ...extra,
});
const recorded = (id: string): EventEnvelope | undefined => test.events.find((event) => event.id === id);

describe("API keys", () => {
  it("creates a key whose secrets appear once, lists keys without them, and revokes", async () => {
    const key = await createKey("Amazon feed");
    expect(key).toEqual({
      id: expect.any(String),
      name: "Amazon feed",
      createdAt: expect.any(String),
      key: expect.stringMatching(/^mk_[A-Za-z0-9_-]{43}$/),
      accessKeyId: expect.stringMatching(/^MKIA[A-Z2-7]{16}$/),
      secretAccessKey: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/),
    });
    const second = await createKey("Seller feed");
    const listed = await test.call("GET", "/api/api-keys", { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.items.slice(0, 2)).toEqual([
      { id: second.id, name: "Seller feed", createdAt: second.createdAt },
      { id: key.id, name: "Amazon feed", createdAt: key.createdAt },
    ]);
    const text = JSON.stringify(listed.body);
    for (const secret of [key.key, key.accessKeyId, key.secretAccessKey]) expect(text).not.toContain(secret);

    const first = await test.call("GET", "/api/api-keys?limit=1", { token: admin });
    const next = await test.call("GET", `/api/api-keys?limit=1&cursor=${first.body.nextCursor}`, {
      token: admin,
    });
    expect([first.body.items[0].id, next.body.items[0].id]).toEqual([second.id, key.id]);

    expect((await test.call("DELETE", `/api/api-keys/${second.id}`, { token: admin })).status).toBe(204);
    expect((await test.call("DELETE", `/api/api-keys/${second.id}`, { token: admin })).status).toBe(404);
    const after = await test.call("GET", "/api/api-keys", { token: admin });
    expect(after.body.items.map((item: { id: string }) => item.id)).not.toContain(second.id);
  });

  it("keeps no secret in the clear: fingerprints of the key and access key id, the secret sealed", async () => {
    const key = await createKey("Stored");
    const rows = await test
      .context()
      .db.selectFrom("api_keys")
      .selectAll()
      .where("id", "=", key.id)
      .execute();
    const stored = JSON.stringify(rows);
    for (const secret of [key.key, key.accessKeyId, key.secretAccessKey])
      expect(stored).not.toContain(secret);
    expect(rows[0]?.sealed_secret).toMatch(/^v1\./);
  });

  it("refuses bad input, customers and strangers, and changes nothing", async () => {
    const before = (await test.call("GET", "/api/api-keys?limit=100", { token: admin })).body.items.length;
    const bad = [
      { body: {} },
      { body: { name: "" } },
      { body: { name: "   " } },
      { body: { name: 7 } },
      { body: { name: "x".repeat(101) } },
      { body: { name: "ok", extra: true } },
      { raw: "{not json" },
      { raw: JSON.stringify({ name: "x".repeat(2000) }) },
    ];
    for (const options of bad) {
      const answer = await test.call("POST", "/api/api-keys", { token: admin, ...options });
      expect([400, 413], JSON.stringify(options)).toContain(answer.status);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await test.call("POST", "/api/api-keys", { token: customer, body: { name: "n" } })).status).toBe(
      403,
    );
    expect((await test.call("POST", "/api/api-keys", { body: { name: "n" } })).status).toBe(401);
    expect((await test.call("GET", "/api/api-keys", { token: customer })).status).toBe(403);
    expect(
      (await test.call("DELETE", "/api/api-keys/0192f0c4-1111-7000-8000-000000000000", { token: customer }))
        .status,
    ).toBe(403);
    expect((await test.call("DELETE", "/api/api-keys/not-an-id", { token: admin })).status).toBe(400);
    expect((await test.call("GET", "/api/api-keys?cursor=forged", { token: admin })).status).toBe(400);
    expect((await test.call("GET", "/api/api-keys?limit=100", { token: admin })).body.items.length).toBe(
      before,
    );
  });
});

describe("POST /api/events", () => {
  it("publishes each good entry with its own source and detail-type and reports a bad one alone, in order", async () => {
    const answer = await put([
      entry(1, { Time: "2024-05-01T12:00:00+02:00", Resources: ["arn:thing:1"] }),
      entry(2, { Detail: "{not json" }),
      entry(3, { Source: "test.other", DetailType: "Other Happened" }),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.FailedEntryCount).toBe(1);
    const [first, second, third] = answer.body.Entries;
    expect(second).toEqual({
      ErrorCode: "MalformedDetail",
      ErrorMessage: expect.stringMatching(/^Detail is malformed/),
    });
    await expect.poll(() => [recorded(first.EventId), recorded(third.EventId)].every(Boolean)).toBe(true);
    expect(recorded(first.EventId)).toMatchObject({
      version: "0",
      source: "test.shop",
      "detail-type": "Thing Happened",
      detail: { n: 1 },
      time: "2024-05-01T10:00:00.000Z",
      resources: ["arn:thing:1"],
    });
    expect(recorded(third.EventId)).toMatchObject({
      source: "test.other",
      "detail-type": "Other Happened",
      detail: { n: 3 },
    });
  });

  it("takes an API key's bearer key, and refuses it once revoked", async () => {
    const key = await createKey("Bearer");
    const accepted = await put([entry(10)], key.key);
    expect(accepted.status).toBe(200);
    await expect.poll(() => recorded(accepted.body.Entries[0].EventId)).toBeDefined();
    expect((await test.call("DELETE", `/api/api-keys/${key.id}`, { token: admin })).status).toBe(204);
    const refused = await put([entry(11)], key.key);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect((await put([entry(12)], `mk_${"A".repeat(43)}`)).status).toBe(401);
  });

  it("checks each entry as EventBridge does, and the detail of the types Mercato acts on", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ DetailType: "T", Detail: "{}" }, "InvalidArgument", /Source is a required argument/],
      [entry(0, { Source: 5 }), "InvalidArgument", /Source must be a string/],
      [entry(0, { Source: "s".repeat(257) }), "InvalidArgument", /longer than 256/],
      [entry(0, { DetailType: "d".repeat(129) }), "InvalidArgument", /longer than 128/],
      [entry(0, { DetailType: "" }), "InvalidArgument", /DetailType is empty/],
      [{ Source: "test.a", DetailType: "T" }, "InvalidArgument", /Detail is a required argument/],
      [entry(0, { Detail: "[1,2]" }), "MalformedDetail", /JSON object/],
      [entry(0, { Detail: '"text"' }), "MalformedDetail", /JSON object/],
      [entry(0, { Detail: '{"a":"\\u0000"}' }), "MalformedDetail", /control character/],
      [entry(0, { Detail: `${"[".repeat(40)}${"]".repeat(40)}` }), "MalformedDetail", /JSON object/],
      [entry(0, { Detail: `{"a":${"[".repeat(40)}${"]".repeat(40)}}` }), "MalformedDetail", /levels deep/],
      [entry(0, { Source: "aws.ec2" }), "NotAuthorizedForSourceException", /aws\./],
      [entry(0, { Time: "yesterday" }), "InvalidArgument", /RFC 3339/],
      [entry(0, { Time: 1714557600 }), "InvalidArgument", /RFC 3339/],
      [entry(0, { Time: "0000-01-01T00:00:00Z" }), "InvalidArgument", /between 1970 and 9999/],
      [entry(0, { Resources: "arn" }), "InvalidArgument", /Resources/],
      [entry(0, { Resources: [""] }), "InvalidArgument", /Resources/],
      [entry(0, { EventBusName: "other" }), "InvalidArgument", /default bus/],
      [entry(0, { Colour: "red" }), "InvalidArgument", /Unknown parameter Colour/],
      ["not an entry", "InvalidArgument", /must be an object/],
      [
        {
          Source: "marketplace.amazon",
          DetailType: "Marketplace Order Placed",
          Detail: JSON.stringify({ channel: "amazon" }),
        },
        "MalformedDetail",
        /Marketplace Order Placed: externalOrderId: .*lines: /,
      ],
      [
        {
          Source: "seller.acme",
          DetailType: "Inventory Level Changed",
          Detail: JSON.stringify({ sku: "A", onHand: -1, asOf: "now" }),
        },
        "MalformedDetail",
        /onHand: .*asOf: /,
      ],
    ];
    for (const [bad, code, message] of cases) {
      const answer = await put([bad, entry(99)]);
      expect(answer.status, JSON.stringify(bad)).toBe(200);
      expect(answer.body.FailedEntryCount, JSON.stringify(bad)).toBe(1);
      expect(answer.body.Entries[0], JSON.stringify(bad)).toEqual({
        ErrorCode: code,
        ErrorMessage: expect.stringMatching(message),
      });
      expect(answer.body.Entries[1].EventId).toEqual(expect.any(String));
    }
    const other = await put([
      { Source: "partner.amazon", DetailType: "Marketplace Order Placed", Detail: "{}" },
    ]);
    expect(other.body.FailedEntryCount).toBe(0);
  });

  it("refuses a malformed whole body, too many or too large entries, customers and strangers, publishing nothing", async () => {
    // What earlier tests published may still be on its way to the recorder.
    await expect.poll(() => test.settled()).toBe(true);
    const seen = test.events.length;
    const tooBig = Array.from({ length: 2 }, () =>
      entry(0, { Detail: JSON.stringify({ pad: "x".repeat(140_000) }) }),
    );
    const bad: [Parameters<typeof test.call>[2], number][] = [
      [{ token: admin, raw: "{not json" }, 400],
      [{ token: admin, body: [] }, 400],
      [{ token: admin, body: {} }, 400],
      [{ token: admin, body: { Entries: [] } }, 400],
      [{ token: admin, body: { Entries: Array.from({ length: 11 }, (_, n) => entry(n)) } }, 400],
      [{ token: admin, body: { Entries: [entry(1)], EndpointId: "x" } }, 400],
      [{ token: admin, body: { Entries: "all" } }, 400],
      [{ token: admin, body: { Entries: tooBig } }, 413],
      [
        {
          token: admin,
          raw: JSON.stringify({
            Entries: [entry(0, { Detail: JSON.stringify({ pad: "x".repeat(1_100_000) }) })],
          }),
        },
        413,
      ],
      [{ token: admin, raw: "{}", headers: { "content-type": "text/plain" } }, 415],
      [{ token: customer, body: { Entries: [entry(1)] } }, 403],
      [{ body: { Entries: [entry(1)] } }, 401],
      [{ token: "not.a.token", body: { Entries: [entry(1)] } }, 401],
    ];
    for (const [options, status] of bad) {
      const answer = await test.call("POST", "/api/events", options);
      expect(answer.status, JSON.stringify(options).slice(0, 200)).toBe(status);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
    }
    await expect.poll(() => test.settled()).toBe(true);
    expect(test.events.length).toBe(seen);
  });
});
