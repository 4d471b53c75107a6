import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePattern, InvalidPatternError, RuleSet } from "./index.ts";

interface ConformanceCase {
  name: string;
  expect: "match" | "no-match" | "invalid";
  event: unknown;
  pattern: unknown;
}

// The repository's own copy of the contract's conformance cases (conformance/README.md says whence).
const casesUrl = new URL("../../../../../conformance/eventbridge-patterns.json", import.meta.url);
const cases = JSON.parse(readFileSync(casesUrl, "utf8")) as ConformanceCase[];

describe("EventBridge pattern conformance", () => {
  it("loads the full conformance sample", () => {
    expect(cases.length).toBe(105);
  });

  for (const testCase of cases) {
    it(`${testCase.name} (${testCase.expect})`, () => {
      if (testCase.expect === "invalid") {
        expect(() => compilePattern(testCase.pattern)).toThrow(InvalidPatternError);
        expect(() => new RuleSet().add(testCase.name, testCase.pattern, "target")).toThrow(
          InvalidPatternError,
        );
        return;
      }
      const expected = testCase.expect === "match";
      expect(compilePattern(testCase.pattern).matches(testCase.event)).toBe(expected);
      const rules = new RuleSet();
      rules.add(testCase.name, testCase.pattern, "target");
      expect(rules.match(testCase.event)).toEqual(expected ? ["target"] : []);
    });
  }
});
