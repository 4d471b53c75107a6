import { describe, expect, it } from "vitest";
import { compilePattern, InvalidPatternError, testEventPattern } from "./index.ts";

interface MatchCase {
  name: string;
  pattern: unknown;
  event: unknown;
  matches: boolean;
}

const employees = {
  employees: [
    { firstName: "John", lastName: "Doe" },
    { firstName: "Anna", lastName: "Smith" },
    { firstName: "Peter", lastName: "Jones" },
  ],
};

const matchCases: MatchCase[] = [
  {
    name: "exact string among alternatives",
    pattern: { state: ["pending", "running"] },
    event: { state: "running" },
    matches: true,
  },
  {
    name: "string values are case sensitive",
    pattern: { state: ["running"] },
    event: { state: "Running" },
    matches: false,
  },
  {
    name: "numbers compare as numbers (3.0e2)",
    pattern: { n: [300] },
    event: JSON.parse('{"n": 3.0e2}'),
    matches: true,
  },
  {
    name: "numbers compare as numbers (300.0)",
    pattern: JSON.parse('{"n": [300.0]}'),
    event: { n: 300 },
    matches: true,
  },
  {
    name: "a number never equals a numeric string",
    pattern: { n: [300] },
    event: { n: "300" },
    matches: false,
  },
  {
    name: "true matches only the boolean",
    pattern: { flag: [true] },
    event: { flag: "true" },
    matches: false,
  },
  { name: "null does not match a missing field", pattern: { x: [null] }, event: {}, matches: false },
  {
    name: "an event array matches when any element matches",
    pattern: { resources: ["arn:b"] },
    event: { resources: ["arn:a", "arn:b"] },
    matches: true,
  },
  {
    name: "an event array with no matching element",
    pattern: { resources: ["arn:c"] },
    event: { resources: ["arn:a", "arn:b"] },
    matches: false,
  },
  { name: "prefix ignores non-strings", pattern: { v: [{ prefix: "1" }] }, event: { v: 12 }, matches: false },
  {
    name: "empty prefix does not match a number",
    pattern: { v: [{ prefix: "" }] },
    event: { v: 1 },
    matches: false,
  },
  {
    name: "prefix with equals-ignore-case",
    pattern: { service: [{ prefix: { "equals-ignore-case": "eventb" } }] },
    event: { service: "EVENTBridge" },
    matches: true,
  },
  {
    name: "suffix with equals-ignore-case",
    pattern: { service: [{ suffix: { "equals-ignore-case": "TBRIDGE" } }] },
    event: { service: "EventBridge" },
    matches: true,
  },
  {
    name: "equals-ignore-case",
    pattern: { name: [{ "equals-ignore-case": "alice" }] },
    event: { name: "ALICE" },
    matches: true,
  },
  {
    name: "equals-ignore-case is not a prefix",
    pattern: { name: [{ "equals-ignore-case": "alice" }] },
    event: { name: "Alicette" },
    matches: false,
  },
  {
    name: "wildcard suffix-like",
    pattern: { file: [{ wildcard: "*.png" }] },
    event: { file: "dir/image.png" },
    matches: true,
  },
  {
    name: "wildcard needs the literal tail",
    pattern: { file: [{ wildcard: "*.png" }] },
    event: { file: "image.png.bak" },
    matches: false,
  },
  {
    name: "wildcard star matches nothing too",
    pattern: { s: [{ wildcard: "Simple*Service" }] },
    event: { s: "SimpleService" },
    matches: true,
  },
  {
    name: "escaped star is literal",
    pattern: { s: [{ wildcard: "a\\*b" }] },
    event: { s: "a*b" },
    matches: true,
  },
  {
    name: "escaped star does not act as a wildcard",
    pattern: { s: [{ wildcard: "a\\*b" }] },
    event: { s: "axb" },
    matches: false,
  },
  {
    name: "escaped backslash is literal",
    pattern: { s: [{ wildcard: "a\\\\*" }] },
    event: { s: "a\\bc" },
    matches: true,
  },
  {
    name: "a lone star matches the empty string",
    pattern: { s: [{ wildcard: "*" }] },
    event: { s: "" },
    matches: true,
  },
  { name: "wildcard ignores numbers", pattern: { s: [{ wildcard: "*" }] }, event: { s: 5 }, matches: false },
  {
    name: "anything-but numbers lets a numeric string through",
    pattern: { x: [{ "anything-but": [100, 200] }] },
    event: { x: "100" },
    matches: true,
  },
  {
    name: "anything-but on an array: another element matches",
    pattern: { x: [{ "anything-but": "a" }] },
    event: { x: ["a", "b"] },
    matches: true,
  },
  {
    name: "anything-but on an array: every element excluded",
    pattern: { x: [{ "anything-but": "a" }] },
    event: { x: ["a", "a"] },
    matches: false,
  },
  {
    name: "anything-but on an empty array",
    pattern: { x: [{ "anything-but": "a" }] },
    event: { x: [] },
    matches: false,
  },
  {
    name: "anything-but equals-ignore-case lets other values through",
    pattern: { x: [{ "anything-but": { "equals-ignore-case": "Stopped" } }] },
    event: { x: "running" },
    matches: true,
  },
  {
    name: "anything-but wildcard list",
    pattern: { path: [{ "anything-but": { wildcard: ["*/lib/*", "*.tmp"] } }] },
    event: { path: "src/lib/x.ts" },
    matches: false,
  },
  {
    name: "anything-but suffix lets a boolean through",
    pattern: { x: [{ "anything-but": { suffix: "e" } }] },
    event: { x: true },
    matches: true,
  },
  {
    name: "numeric equality",
    pattern: { x: [{ numeric: ["=", 301.8] }] },
    event: JSON.parse('{"x": 3.018e2}'),
    matches: true,
  },
  {
    name: "numeric lower bound inclusive",
    pattern: { x: [{ numeric: [">=", 0, "<", 5] }] },
    event: { x: 0 },
    matches: true,
  },
  {
    name: "numeric upper bound exclusive",
    pattern: { x: [{ numeric: [">=", 0, "<", 5] }] },
    event: { x: 5 },
    matches: false,
  },
  {
    name: "numeric upper only",
    pattern: { x: [{ numeric: ["<=", -1.5] }] },
    event: { x: -1.5 },
    matches: true,
  },
  {
    name: "numeric ignores numeric strings",
    pattern: { x: [{ numeric: [">", 1] }] },
    event: { x: "5" },
    matches: false,
  },
  {
    name: "numeric ignores values beyond 5e9",
    pattern: { x: [{ numeric: [">", 1] }] },
    event: { x: 6e9 },
    matches: false,
  },
  {
    name: "numeric on an array of numbers",
    pattern: { x: [{ numeric: [">", 10] }] },
    event: { x: [1, 20] },
    matches: true,
  },
  {
    name: "exists true holds for null",
    pattern: { x: [{ exists: true }] },
    event: { x: null },
    matches: true,
  },
  {
    name: "exists true needs a leaf, not an empty object",
    pattern: { x: [{ exists: true }] },
    event: { x: {} },
    matches: false,
  },
  {
    name: "exists true on an array of scalars",
    pattern: { x: [{ exists: true }] },
    event: { x: [1] },
    matches: true,
  },
  {
    name: "exists false when a parent is missing",
    pattern: { a: { b: [{ exists: false }] } },
    event: { c: 1 },
    matches: true,
  },
  {
    name: "exists false when the field is an object",
    pattern: { a: [{ exists: false }] },
    event: { a: { b: 1 } },
    matches: true,
  },
  {
    name: "exists false fails when present",
    pattern: { a: [{ exists: false }] },
    event: { a: "" },
    matches: false,
  },
  {
    name: "cidr v4 inside",
    pattern: { ip: [{ cidr: "192.168.0.0/16" }] },
    event: { ip: "192.168.255.1" },
    matches: true,
  },
  {
    name: "cidr v4 outside",
    pattern: { ip: [{ cidr: "192.168.0.0/16" }] },
    event: { ip: "192.169.0.1" },
    matches: false,
  },
  {
    name: "cidr host bits are masked",
    pattern: { ip: [{ cidr: "10.0.0.5/24" }] },
    event: { ip: "10.0.0.200" },
    matches: true,
  },
  {
    name: "cidr /0 covers every IPv4 address",
    pattern: { ip: [{ cidr: "0.0.0.0/0" }] },
    event: { ip: "8.8.8.8" },
    matches: true,
  },
  {
    name: "an IPv4 block does not match IPv6",
    pattern: { ip: [{ cidr: "0.0.0.0/0" }] },
    event: { ip: "::1" },
    matches: false,
  },
  {
    name: "cidr v6 with embedded IPv4",
    pattern: { ip: [{ cidr: "::ffff:0:0/96" }] },
    event: { ip: "::ffff:10.1.2.3" },
    matches: true,
  },
  {
    name: "an exact IPv6 value matches other spellings",
    pattern: { ip: ["2001:db8::1"] },
    event: { ip: "2001:0DB8:0:0:0:0:0:1" },
    matches: true,
  },
  {
    name: "cidr ignores garbage strings",
    pattern: { ip: [{ cidr: "10.0.0.0/8" }] },
    event: { ip: "10.0.0.1.evil" },
    matches: false,
  },
  {
    name: "mixed alternatives in one field",
    pattern: { x: ["a", { prefix: "b" }, { numeric: [">", 5] }] },
    event: { x: 6 },
    matches: true,
  },
  {
    name: "all fields must match",
    pattern: { source: ["shop"], detail: { status: ["paid"] } },
    event: { source: "shop", detail: { status: "open" } },
    matches: false,
  },
  {
    name: "$or alongside a field",
    pattern: { source: ["shop"], $or: [{ a: ["1"] }, { b: ["2"] }] },
    event: { source: "shop", b: "2" },
    matches: true,
  },
  {
    name: "nested $or (a || (b && (c || d)))",
    pattern: { $or: [{ a: ["1"] }, { b: ["2"], $or: [{ c: ["3"] }, { d: ["4"] }] }] },
    event: { b: "2", d: "4" },
    matches: true,
  },
  {
    name: "nested $or fails when the inner alternatives fail",
    pattern: { $or: [{ a: ["1"] }, { b: ["2"], $or: [{ c: ["3"] }, { d: ["4"] }] }] },
    event: { b: "2", d: "5" },
    matches: false,
  },
  {
    name: "$or inside a nested object",
    pattern: { detail: { $or: [{ amount: [{ numeric: [">", 100] }] }, { vip: [true] }] } },
    event: { detail: { amount: 5, vip: true } },
    matches: true,
  },
  {
    name: "fields from the same array element match together",
    pattern: { employees: { firstName: ["Anna"], lastName: ["Smith"] } },
    event: employees,
    matches: true,
  },
  {
    name: "fields from different array elements do not match together",
    pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } },
    event: employees,
    matches: false,
  },
  {
    name: "nested arrays keep element boundaries",
    pattern: { groups: { members: { id: [1], role: ["admin"] } } },
    event: { groups: [{ members: [{ id: 1, role: "user" }] }, { members: [{ id: 2, role: "admin" }] }] },
    matches: false,
  },
  {
    name: "a field outside the array combines with any element",
    pattern: { source: ["hr"], employees: { firstName: ["Peter"] } },
    event: { source: "hr", ...employees },
    matches: true,
  },
  {
    name: "dotted keys in the event match nested pattern keys",
    pattern: { detail: { state: { status: ["running"] } } },
    event: { detail: { "state.status": "running" } },
    matches: true,
  },
  {
    name: "a non-object event matches only absence",
    pattern: { x: [{ exists: false }] },
    event: "not an event",
    matches: true,
  },
  { name: "a non-object event matches no value", pattern: { x: ["a"] }, event: ["a"], matches: false },
  {
    name: "a field named like an inherited property is absent unless the event has it",
    pattern: { constructor: [{ exists: false }] },
    event: {},
    matches: true,
  },
  {
    name: "a field named toString matches its own value",
    pattern: { toString: ["x"] },
    event: { toString: "x" },
    matches: true,
  },
  {
    name: "a long value list matches its last value",
    pattern: { "detail-type": Array.from({ length: 40 }, (_, i) => `Type${i}`) },
    event: { "detail-type": "Type39" },
    matches: true,
  },
  {
    name: "value lists in several fields combine",
    pattern: { source: ["a", "b", "c"], "detail-type": ["x", "y", "z"], detail: { n: [1, 2, 3, 4, 5] } },
    event: { source: "c", "detail-type": "y", detail: { n: 5 } },
    matches: true,
  },
];

interface InvalidCase {
  name: string;
  pattern: unknown;
  path: string;
  reason: RegExp;
}

const invalidCases: InvalidCase[] = [
  {
    name: "pattern is an array",
    pattern: [{ source: ["a"] }],
    path: "$",
    reason: /must be a JSON object, found an array/,
  },
  { name: "pattern is null", pattern: null, path: "$", reason: /found null/ },
  { name: "empty pattern", pattern: {}, path: "$", reason: /empty objects are not allowed/ },
  {
    name: "empty nested object",
    pattern: { detail: {} },
    path: "$.detail",
    reason: /empty objects are not allowed/,
  },
  {
    name: "leaf is a bare string",
    pattern: { source: "shop" },
    path: "$.source",
    reason: /expected an array .* found a string/,
  },
  {
    name: "leaf is a bare number",
    pattern: { detail: { n: 5 } },
    path: "$.detail.n",
    reason: /found a number/,
  },
  {
    name: "operator outside an array",
    pattern: { source: { prefix: "a" } },
    path: "$.source.prefix",
    reason: /operators go inside the field's array/,
  },
  { name: "empty array", pattern: { source: [] }, path: "$.source", reason: /empty arrays are not allowed/ },
  { name: "nested array value", pattern: { source: [["a"]] }, path: "$.source[0]", reason: /found an array/ },
  {
    name: "unknown operator",
    pattern: { s: [{ contains: "a" }] },
    path: "$.s[0].contains",
    reason: /unknown operator "contains"/,
  },
  {
    name: "two operators in one object",
    pattern: { s: [{ prefix: "a", suffix: "b" }] },
    path: "$.s[0]",
    reason: /exactly one key, found 2/,
  },
  { name: "empty operator object", pattern: { s: [{}] }, path: "$.s[0]", reason: /found an empty object/ },
  {
    name: "prefix takes no list",
    pattern: { s: [{ prefix: ["a"] }] },
    path: "$.s[0].prefix",
    reason: /prefix takes a string/,
  },
  {
    name: "prefix equals-ignore-case must be a string",
    pattern: { s: [{ prefix: { "equals-ignore-case": 1 } }] },
    path: '$.s[0].prefix["equals-ignore-case"]',
    reason: /takes a string, found a number/,
  },
  {
    name: "suffix with an unknown option",
    pattern: { s: [{ suffix: { exact: "a" } }] },
    path: "$.s[0].suffix",
    reason: /found an object with exact/,
  },
  {
    name: "equals-ignore-case number",
    pattern: { s: [{ "equals-ignore-case": 1 }] },
    path: '$.s[0]["equals-ignore-case"]',
    reason: /takes a string/,
  },
  {
    name: "wildcard with **",
    pattern: { s: [{ wildcard: "a**b" }] },
    path: "$.s[0].wildcard",
    reason: /consecutive "\*"/,
  },
  {
    name: "wildcard with a stray backslash",
    pattern: { s: [{ wildcard: "a\\b" }] },
    path: "$.s[0].wildcard",
    reason: /backslash/,
  },
  {
    name: "wildcard too complex",
    pattern: { s: [{ wildcard: "*a*a*a*a*a*a*" }] },
    path: "$.s[0].wildcard",
    reason: /too complex/,
  },
  {
    name: "anything-but boolean",
    pattern: { s: [{ "anything-but": true }] },
    path: '$.s[0]["anything-but"]',
    reason: /found a boolean/,
  },
  {
    name: "anything-but empty list",
    pattern: { s: [{ "anything-but": [] }] },
    path: '$.s[0]["anything-but"]',
    reason: /empty list/,
  },
  {
    name: "anything-but mixed list",
    pattern: { s: [{ "anything-but": ["a", 1] }] },
    path: '$.s[0]["anything-but"]',
    reason: /only strings or only numbers/,
  },
  {
    name: "anything-but list with null",
    pattern: { s: [{ "anything-but": ["a", null] }] },
    path: '$.s[0]["anything-but"]',
    reason: /only strings or only numbers/,
  },
  {
    name: "anything-but numeric is unsupported",
    pattern: { s: [{ "anything-but": { numeric: [">", 1] } }] },
    path: '$.s[0]["anything-but"]',
    reason: /object with numeric/,
  },
  {
    name: "anything-but prefix list with an empty prefix",
    pattern: { s: [{ "anything-but": { prefix: ["a", ""] } }] },
    path: '$.s[0]["anything-but"].prefix[1]',
    reason: /cannot be empty/,
  },
  {
    name: "anything-but wildcard list with a bad wildcard",
    pattern: { s: [{ "anything-but": { wildcard: ["*a", "b**"] } }] },
    path: '$.s[0]["anything-but"].wildcard[1]',
    reason: /consecutive/,
  },
  {
    name: "anything-but number out of range",
    pattern: { s: [{ "anything-but": 6e9 }] },
    path: '$.s[0]["anything-but"]',
    reason: /between -5e9 and 5e9/,
  },
  {
    name: "numeric not an array",
    pattern: { n: [{ numeric: ">" }] },
    path: "$.n[0].numeric",
    reason: /takes an array/,
  },
  {
    name: "numeric unknown operator",
    pattern: { n: [{ numeric: ["=>", 1] }] },
    path: "$.n[0].numeric[0]",
    reason: /numeric operator/,
  },
  {
    name: "numeric string operand",
    pattern: { n: [{ numeric: [">", "1"] }] },
    path: "$.n[0].numeric[1]",
    reason: /must be a number, found a string/,
  },
  {
    name: "numeric bounds in the wrong order",
    pattern: { n: [{ numeric: ["<", 5, ">", 0] }] },
    path: "$.n[0].numeric",
    reason: /lower bound .* followed by an upper bound/,
  },
  {
    name: "numeric empty range",
    pattern: { n: [{ numeric: [">", 5, "<=", 5] }] },
    path: "$.n[0].numeric",
    reason: /range is empty/,
  },
  {
    name: "numeric equality with a bound",
    pattern: { n: [{ numeric: ["=", 1, "<", 2] }] },
    path: "$.n[0].numeric",
    reason: /found "=" then "<"/,
  },
  {
    name: "numeric operand too large",
    pattern: { n: [{ numeric: [">", 5e9 + 1] }] },
    path: "$.n[0].numeric[1]",
    reason: /between -5e9 and 5e9/,
  },
  {
    name: "numeric operand too precise",
    pattern: { n: [{ numeric: [">", 0.0000001] }] },
    path: "$.n[0].numeric[1]",
    reason: /6 decimal places/,
  },
  {
    name: "exists takes a boolean",
    pattern: { n: [{ exists: "true" }] },
    path: "$.n[0].exists",
    reason: /true or false/,
  },
  {
    name: "cidr without a prefix length",
    pattern: { ip: [{ cidr: "10.0.0.0" }] },
    path: "$.ip[0].cidr",
    reason: /exactly one "\/"/,
  },
  {
    name: "cidr IPv4 prefix too long",
    pattern: { ip: [{ cidr: "10.0.0.0/33" }] },
    path: "$.ip[0].cidr",
    reason: /from 0 to 32/,
  },
  {
    name: "cidr IPv6 prefix too long",
    pattern: { ip: [{ cidr: "::/129" }] },
    path: "$.ip[0].cidr",
    reason: /from 0 to 128/,
  },
  {
    name: "cidr octet out of range",
    pattern: { ip: [{ cidr: "10.0.0.256/8" }] },
    path: "$.ip[0].cidr",
    reason: /not an IPv4 or IPv6 address/,
  },
  { name: "cidr number", pattern: { ip: [{ cidr: 10 }] }, path: "$.ip[0].cidr", reason: /takes a string/ },
  {
    name: "$or not an array",
    pattern: { $or: { a: ["1"] } },
    path: "$.$or",
    reason: /at least 2 objects, found an object/,
  },
  { name: "$or with one alternative", pattern: { $or: [{ a: ["1"] }] }, path: "$.$or", reason: /found 1/ },
  {
    name: "$or alternative not an object",
    pattern: { $or: [{ a: ["1"] }, ["b"]] },
    path: "$.$or[1]",
    reason: /must be an object/,
  },
  {
    name: "$or alternative empty",
    pattern: { $or: [{ a: ["1"] }, {}] },
    path: "$.$or[1]",
    reason: /empty objects/,
  },
  {
    name: "operator name as a field inside $or",
    pattern: { $or: [{ prefix: ["a"] }, { b: ["1"] }] },
    path: "$.$or[0].prefix",
    reason: /reserved operator name/,
  },
  {
    name: "field given twice through a dotted key",
    pattern: { detail: { "a.b": ["x"], a: { b: ["y"] } } },
    path: "$.detail.a",
    reason: /"detail.a.b" is matched more than once/,
  },
  {
    name: "field given twice through $or",
    pattern: { source: ["a"], $or: [{ source: ["b"] }, { c: ["d"] }] },
    path: "$.$or",
    reason: /"source" is matched more than once/,
  },
  {
    name: "$or expanding past the limit",
    pattern: Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`f${i}`, { $or: [{ a: ["1"] }, { b: ["2"] }] }]),
    ),
    path: "$.f10",
    reason: /more than 1024 alternatives/,
  },
  { name: "non-finite number", pattern: { n: [Number.POSITIVE_INFINITY] }, path: "$.n[0]", reason: /finite/ },
];

describe("event pattern semantics", () => {
  for (const c of matchCases) {
    it(`${c.name}: ${c.matches ? "matches" : "does not match"}`, () => {
      expect(testEventPattern(c.pattern, c.event)).toBe(c.matches);
    });
  }
});

describe("invalid event patterns", () => {
  for (const c of invalidCases) {
    it(`rejects ${c.name} at ${c.path}`, () => {
      let error: unknown;
      try {
        compilePattern(c.pattern);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(InvalidPatternError);
      const invalid = error as InvalidPatternError;
      expect(invalid.path).toBe(c.path);
      expect(invalid.reason).toMatch(c.reason);
      expect(invalid.message).toBe(`Invalid event pattern at ${c.path}: ${invalid.reason}`);
    });
  }
});

describe("compiled patterns", () => {
  it("compile once and match many events", () => {
    const compiled = compilePattern({
      source: [{ prefix: "shop." }],
      detail: { total: [{ numeric: [">", 100] }] },
    });
    const results = [50, 150, 101, 100].map((total) =>
      compiled.matches({ source: "shop.orders", detail: { total } }),
    );
    expect(results).toEqual([false, true, true, false]);
  });

  it("does not retain or mutate the pattern it was given", () => {
    const pattern = { source: ["a"] };
    const compiled = compilePattern(pattern);
    pattern.source[0] = "b";
    expect(compiled.matches({ source: "a" })).toBe(true);
    expect(pattern).toEqual({ source: ["b"] });
  });
});
