import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findTextProblems, queryEncodingProblems, textProblem } from "./text-input.ts";

const allowedControls = new Set([0x09, 0x0a, 0x0d]);

/** The rule spelled out character by character, to check the regular expressions against. */
function acceptable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((unit < 0x20 && !allowedControls.has(unit)) || unit === 0x7f) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return false;
  }
  return true;
}

describe("textProblem", () => {
  it("accepts exactly the well-formed strings without forbidden control characters", () => {
    const units = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0xd7f0, max: 0xe010 }),
      fc.integer({ min: 0, max: 0xffff }),
    );
    const texts = fc.array(units, { maxLength: 12 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(texts, (text) => (textProblem(text) === undefined) === acceptable(text)),
      { seed: 20261205, numRuns: 2000 },
    );
  });

  it("names NUL, other controls and lone surrogates", () => {
    expect(textProblem("a\u0000b")).toMatch(/control character NUL/);
    expect(textProblem("\u007f")).toMatch(/U\+007F/);
    expect(textProblem("Ada\ud800")).toMatch(/unpaired surrogate/);
    expect(textProblem("\udc00\ud800")).toMatch(/unpaired surrogate/);
    expect(textProblem("tab\tline\r\n😀")).toBeUndefined();
  });
});

describe("findTextProblems", () => {
  it("walks objects, arrays and keys, naming each problem by its path", () => {
    expect(findTextProblems({ items: [{ name: "ok" }, { name: "\u0000" }], "a\u0000": 1 }, "body")).toEqual([
      { path: "body.items.1.name", message: expect.stringMatching(/NUL/) },
      { path: "body.a\\u0000", message: expect.stringMatching(/^the key contains/) },
    ]);
  });

  it("leaves binary bodies alone", () => {
    expect(findTextProblems(Buffer.from([0, 0xff]), "body")).toEqual([]);
    expect(findTextProblems("\u0000", "query.q")).toEqual([{ path: "query.q", message: expect.any(String) }]);
  });
});

describe("queryEncodingProblems", () => {
  it("names each parameter whose escapes are not UTF-8, and passes well-formed ones", () => {
    expect(queryEncodingProblems("/api/cart")).toEqual([]);
    expect(queryEncodingProblems("/api/products?q=caf%C3%A9&limit=5&tag=a+b")).toEqual([]);
    expect(
      queryEncodingProblems("/api/cart?x=%ED%BF%BF&ok=1&q=%FF&%FE=1").map((problem) => problem.path),
    ).toEqual(["query.x", "query.q", "query.%FE"]);
    expect(queryEncodingProblems("/api/cart?x=%ED%A0%80")[0]?.message).toMatch(/not UTF-8/);
  });
});
