import { describe, expect, it } from "vitest";
import { MAX_DEPTH } from "./compile.ts";
import { compilePattern, InvalidPatternError } from "./index.ts";

/** `{"a": {"a": ... ["x"] }}` with `levels` objects. */
function nested(levels: number, key = "a"): Record<string, unknown> {
  let pattern: Record<string, unknown> = { [key]: ["x"] };
  for (let level = 1; level < levels; level++) pattern = { [key]: pattern };
  return pattern;
}

function refusal(pattern: unknown): InvalidPatternError {
  try {
    compilePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidPatternError) return error;
    throw error;
  }
  throw new Error("the pattern compiled");
}

describe("pattern nesting depth", () => {
  it(`compiles a pattern ${MAX_DEPTH} objects deep and matches it`, () => {
    let event: unknown = "x";
    for (let level = 0; level < MAX_DEPTH; level++) event = { a: event };
    expect(compilePattern(nested(MAX_DEPTH)).matches(event as Record<string, unknown>)).toBe(true);
  });

  it("refuses one level more with the path where it went too deep, not a stack overflow", () => {
    const error = refusal(nested(MAX_DEPTH + 1));
    expect(error.reason).toMatch(`more than ${MAX_DEPTH} levels deep`);
    expect(error.path).toBe(`$${".a".repeat(MAX_DEPTH)}`);
  });

  it("refuses a 10,000-deep pattern, through fields or through $or", () => {
    expect(refusal(nested(10_000)).reason).toMatch(/levels deep/);
    let viaOr: Record<string, unknown> = { a: ["x"] };
    for (let level = 0; level < 10_000; level++) viaOr = { $or: [viaOr, { b: ["y"] }] };
    expect(refusal(viaOr).reason).toMatch(/levels deep|alternatives/);
  });
});
