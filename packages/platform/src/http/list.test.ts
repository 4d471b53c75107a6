import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cursorFields, decodeCursor, encodeCursor, listQuerySchema, pageOf } from "./list.ts";
import { HttpProblem } from "./problem.ts";

describe("list helpers", () => {
  it("round-trips a position through an opaque base64url cursor", () => {
    const position = { createdAt: "2026-01-02T03:04:05.000Z", id: "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e80" };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, z.object({ createdAt: z.string(), id: z.string() }))).toEqual(position);
  });

  it("refuses a cursor that is not base64url, not JSON or not this list's shape with a 400 problem", () => {
    const schema = z.object({ id: z.string() });
    for (const cursor of [
      "a b",
      "%%",
      Buffer.from("{oops").toString("base64url"),
      encodeCursor({ page: 1 }),
    ]) {
      let thrown: unknown;
      try {
        decodeCursor(cursor, schema);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HttpProblem);
      expect((thrown as HttpProblem).toJSON()).toMatchObject({
        status: 400,
        type: "https://mercato.dev/problems/invalid-cursor",
        errors: [{ path: "query.cursor" }],
      });
    }
  });

  it("cuts a read of limit + 1 rows to the page, with the cursor after its last item only when more follow", () => {
    const position = (last: number) => ({ after: last });
    const more = pageOf([1, 2, 3], 2, String, position);
    expect(more.items).toEqual(["1", "2"]);
    expect(decodeCursor(more.nextCursor ?? "", z.object({ after: z.number() }))).toEqual({ after: 2 });
    expect(pageOf([1, 2], 2, String, position)).toEqual({ items: ["1", "2"], nextCursor: null });
    expect(pageOf([], 2, String, position)).toEqual({ items: [], nextCursor: null });
  });

  it("defaults limit to 20 and bounds it to 1-100", () => {
    expect(listQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(listQuerySchema.parse({ limit: "100", cursor: "abc" })).toEqual({ limit: 100, cursor: "abc" });
    expect(listQuerySchema.safeParse({ limit: "101" }).success).toBe(false);
    expect(listQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(listQuerySchema.safeParse({ limit: "2.5" }).success).toBe(false);
    expect(listQuerySchema.safeParse({ cursor: "x".repeat(513) }).success).toBe(false);
  });
});

describe("cursor fields", () => {
  const position = z.object({ createdAt: cursorFields.timestamp, id: cursorFields.id }).strict();

  it("takes the timestamps toISOString writes, between 1970 and 9999", () => {
    for (const createdAt of [
      "1970-01-01T00:00:00.000Z",
      "2026-01-02T03:04:05.678Z",
      "9999-12-31T23:59:59.999Z",
    ]) {
      expect(decodeCursor(encodeCursor({ createdAt, id: "p1" }), position)).toEqual({ createdAt, id: "p1" });
    }
  });

  it("refuses year 0000, other years out of range, impossible dates and other spellings with 400", () => {
    for (const createdAt of [
      "0000-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "2026-02-30T00:00:00.000Z",
      "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:05.678901Z",
    ]) {
      expect(() => decodeCursor(encodeCursor({ createdAt, id: "p1" }), position), createdAt).toThrow(
        HttpProblem,
      );
    }
  });

  it("refuses positions holding NUL, lone surrogates or numbers past the safe range", () => {
    const count = z.object({ offset: cursorFields.count, id: cursorFields.id }).strict();
    for (const forged of [
      { offset: 1, id: "a\u0000b" },
      { offset: 1, id: "\ud800" },
      { offset: 2 ** 53, id: "a" },
      { offset: -0.5, id: "a" },
    ]) {
      expect(() => decodeCursor(encodeCursor(forged), count), JSON.stringify(forged)).toThrow(
        /not one this list handed out/,
      );
    }
    expect(() => decodeCursor(Buffer.from('{"offset":1e309,"id":"a"}').toString("base64url"), count)).toThrow(
      HttpProblem,
    );
  });
});
