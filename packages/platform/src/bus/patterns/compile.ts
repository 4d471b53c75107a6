import { childPath, describeType, InvalidPatternError } from "./errors.ts";
import { parseCidr } from "./ip.ts";
import {
  absentMatcher,
  affix,
  anythingBut,
  anythingButAffix,
  anythingButIgnoreCase,
  anythingButWildcard,
  cidr,
  equalsIgnoreCase,
  exact,
  exactString,
  existsMatcher,
  type Matcher,
  NUMERIC_LIMIT,
  type NumericRange,
  numeric,
  wildcard,
} from "./matchers.ts";
import { parseWildcard, type Wildcard } from "./wildcard.ts";

/** The alternatives one field accepts (any may match), under its dot-joined path. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly Matcher[];
  /** Equal keys mean equal conditions, whatever order the alternatives were written in. */
  readonly key: string;
  /**
   * How the condition is looked up: 0 by value (hash or trie), 1 by testing each value, 2 it can
   * also hold when the field is absent.
   */
  readonly rank: number;
  /** The path's number of segments: envelope fields (`source`) are shallower than detail fields. */
  readonly depth: number;
}

/**
 * Every condition must hold. Conditions are ordered by (rank, depth, path): value look-ups first,
 * and shallow envelope fields such as `source` and `detail-type` before detail fields, so that
 * rules share their common leading steps.
 */
export type Conjunction = readonly FieldCondition[];

export interface CompiledRule {
  /** The pattern in disjunctive normal form: `$or` and value lists expanded. */
  readonly conjunctions: readonly Conjunction[];
}

/**
 * Compiling recurses once per nested object, so a deep enough pattern (10,000 levels, sent over the
 * operations API) overflowed the stack. Real events nest a handful of levels; a pattern deeper than
 * this is refused with the path where it went too deep.
 */
export const MAX_DEPTH = 24;

/** `$or` multiplies alternatives; past this a pattern is refused rather than compiled. */
const MAX_ALTERNATIVES = 1024;

const OPERATORS = [
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
];
/** Names EventBridge reserves for operators: inside `$or` they cannot be field names. */
const RESERVED_IN_OR = new Set([...OPERATORS, "exactly", "=", "<", "<=", ">", ">="]);

type Branch = ReadonlyMap<string, FieldCondition>;
type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fail(at: string, reason: string): never {
  throw new InvalidPatternError(at, reason);
}

/**
 * A value list such as `"detail-type": ["A", "B"]` is expanded into one conjunction per value, so
 * that the rule shares states with rules naming "A" or "B" alone; at most this many conjunctions
 * come from one alternative.
 */
const MAX_SPLIT = 16;

export function compileRule(pattern: unknown): CompiledRule {
  if (!isObject(pattern)) fail("$", `an event pattern must be a JSON object, found ${describeType(pattern)}`);
  const branches = compileObject(pattern, null, "$", false, 1);
  const splitLimit = Math.min(MAX_SPLIT, Math.floor(MAX_ALTERNATIVES / branches.length));
  const conjunctions = new Map<string, Conjunction>();
  for (const branch of branches) {
    const conditions = [...branch.values()].sort(compareConditions);
    for (const conjunction of splitValueLists(conditions, splitLimit)) {
      conjunctions.set(conjunction.map((c) => `${c.path}\u0000${c.key}`).join("\u0001"), conjunction);
    }
  }
  return { conjunctions: [...conjunctions.values()] };
}

function compareConditions(a: FieldCondition, b: FieldCondition): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.depth !== b.depth) return a.depth - b.depth;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** OR distributes over AND: a field's looked-up alternatives become separate conjunctions. */
function splitValueLists(conditions: readonly FieldCondition[], limit: number): FieldCondition[][] {
  let conjunctions: FieldCondition[][] = [[]];
  for (const condition of conditions) {
    const split = condition.rank === 0 && conjunctions.length * condition.matchers.length <= limit;
    const parts = split ? condition.matchers.map((m) => makeCondition(condition.path, [m])) : [condition];
    conjunctions = conjunctions.flatMap((conjunction) => parts.map((part) => [...conjunction, part]));
  }
  return conjunctions;
}

function compileObject(
  object: JsonObject,
  prefix: string | null,
  at: string,
  insideOr: boolean,
  depth: number,
): Branch[] {
  if (depth > MAX_DEPTH) {
    fail(at, `the pattern nests objects more than ${MAX_DEPTH} levels deep (fields and $or alternatives)`);
  }
  const keys = Object.keys(object);
  if (keys.length === 0) fail(at, "empty objects are not allowed: name at least one field to match");
  let branches: Branch[] = [new Map()];
  for (const key of keys) {
    const value = object[key];
    const here = childPath(at, key);
    if (key === "$or") {
      branches = combine(branches, compileOr(value, prefix, here, depth), here);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(here, `"${key}" is a reserved operator name and cannot be used as a field name inside $or`);
    }
    const path = prefix === null ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) {
      branches = combine(branches, [new Map([[path, compileCondition(path, value, here)]])], here);
    } else if (isObject(value)) {
      branches = combine(branches, compileObject(value, path, here, insideOr, depth + 1), here);
    } else {
      const hint = OPERATORS.includes(key)
        ? ` (operators go inside the field's array, as in "field": [{"${key}": ...}])`
        : ` (write "${key}": [${JSON.stringify(value) ?? "..."}] to match a value)`;
      fail(
        here,
        `expected an array of values to match or an object of nested fields, found ${describeType(value)}${hint}`,
      );
    }
  }
  return branches;
}

function compileOr(value: unknown, prefix: string | null, at: string, depth: number): Branch[] {
  if (!Array.isArray(value))
    fail(at, `$or takes an array of at least 2 objects, found ${describeType(value)}`);
  if (value.length < 2) fail(at, `$or takes an array of at least 2 objects, found ${value.length}`);
  return value.flatMap((alternative: unknown, i) => {
    const here = childPath(at, i);
    if (!isObject(alternative))
      fail(here, `each $or alternative must be an object, found ${describeType(alternative)}`);
    return compileObject(alternative, prefix, here, true, depth + 1);
  });
}

/** Every pairing of a left branch with a right branch (AND of two ORs). */
function combine(left: Branch[], right: Branch[], at: string): Branch[] {
  if (left.length * right.length > MAX_ALTERNATIVES) {
    fail(at, `$or expands the pattern into more than ${MAX_ALTERNATIVES} alternatives`);
  }
  const combined: Branch[] = [];
  for (const a of left) {
    for (const b of right) {
      const merged = new Map(a);
      for (const [path, condition] of b) {
        if (merged.has(path)) {
          fail(
            at,
            `field "${path}" is matched more than once (through dotted keys or $or); match each field once`,
          );
        }
        merged.set(path, condition);
      }
      combined.push(merged);
    }
  }
  return combined;
}

function compileCondition(path: string, values: unknown[], at: string): FieldCondition {
  if (values.length === 0) fail(at, "empty arrays are not allowed: list at least one value to match");
  const matchers = new Map<string, Matcher>();
  values.forEach((value, i) => {
    const matcher = compileValue(value, childPath(at, i));
    matchers.set(matcher.key, matcher);
  });
  return makeCondition(path, [...matchers.values()]);
}

function makeCondition(path: string, matchers: readonly Matcher[]): FieldCondition {
  const kinds = new Set(matchers.map((m) => m.kind));
  const rank = kinds.has("absent") ? 2 : kinds.has("test") ? 1 : 0;
  const key = JSON.stringify(matchers.map((m) => m.key).sort());
  return { path, matchers, key, rank, depth: path.split(".").length };
}

function compileValue(value: unknown, at: string): Matcher {
  if (value === null || typeof value === "boolean") return exact(value);
  if (typeof value === "string") return exactString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(at, `numbers must be finite, found ${value}`);
    return exact(value);
  }
  if (isObject(value)) return compileOperator(value, at);
  return fail(
    at,
    `a value to match must be a string, number, boolean, null or an operator object, found ${describeType(value)}`,
  );
}

function compileOperator(object: JsonObject, at: string): Matcher {
  const keys = Object.keys(object);
  if (keys.length !== 1) {
    fail(
      at,
      keys.length === 0
        ? `an operator object must name one operator (${OPERATORS.join(", ")}), found an empty object`
        : `an operator object must have exactly one key, found ${keys.length}: ${keys.join(", ")}`,
    );
  }
  const operator = keys[0] ?? "";
  const argument = object[operator];
  const here = childPath(at, operator);
  switch (operator) {
    case "prefix":
    case "suffix":
      return compileAffix(operator, argument, here);
    case "equals-ignore-case":
      return equalsIgnoreCase(requireString(argument, here, operator));
    case "wildcard":
      return wildcard(compileWildcard(requireString(argument, here, operator), here));
    case "anything-but":
      return compileAnythingBut(argument, here);
    case "numeric":
      return numeric(compileNumericRange(argument, here));
    case "exists":
      if (typeof argument !== "boolean")
        fail(here, `exists takes true or false, found ${describeType(argument)}`);
      return argument ? existsMatcher : absentMatcher;
    case "cidr": {
      const block = parseCidr(requireString(argument, here, operator));
      if (typeof block === "string") fail(here, block);
      return cidr(block, argument as string);
    }
    default:
      return fail(here, `unknown operator "${operator}"; expected one of ${OPERATORS.join(", ")}`);
  }
}

function requireString(value: unknown, at: string, operator: string): string {
  if (typeof value !== "string") fail(at, `${operator} takes a string, found ${describeType(value)}`);
  return value;
}

function compileAffix(operator: "prefix" | "suffix", argument: unknown, at: string): Matcher {
  if (typeof argument === "string") return affix(operator, argument, false);
  if (isObject(argument)) {
    const keys = Object.keys(argument);
    if (keys.length === 1 && keys[0] === "equals-ignore-case") {
      const here = childPath(at, "equals-ignore-case");
      return affix(
        operator,
        requireString(argument["equals-ignore-case"], here, `${operator} equals-ignore-case`),
        true,
      );
    }
    fail(
      at,
      `${operator} takes a string or {"equals-ignore-case": string}, found an object with ${keys.join(", ") || "no keys"}`,
    );
  }
  return fail(
    at,
    `${operator} takes a string or {"equals-ignore-case": string}, found ${describeType(argument)}`,
  );
}

function compileWildcard(text: string, at: string): Wildcard {
  const parsed = parseWildcard(text);
  if (typeof parsed === "string") fail(at, parsed);
  return parsed;
}

const ANYTHING_BUT_FORMS =
  "a string, a number, a non-empty list of strings or of numbers, or an object with one of prefix, suffix, equals-ignore-case, wildcard";

function compileAnythingBut(argument: unknown, at: string): Matcher {
  if (typeof argument === "string") return anythingBut([argument]);
  if (typeof argument === "number") return anythingBut([checkNumericOperand(argument, at)]);
  if (Array.isArray(argument)) {
    if (argument.length === 0) fail(at, "anything-but does not accept an empty list");
    const allStrings = argument.every((v) => typeof v === "string");
    const allNumbers = argument.every((v) => typeof v === "number");
    if (!allStrings && !allNumbers) {
      fail(
        at,
        "an anything-but list must hold only strings or only numbers (no mixing, null, booleans or objects)",
      );
    }
    if (allNumbers) {
      argument.forEach((v, i) => {
        checkNumericOperand(v as number, childPath(at, i));
      });
    }
    return anythingBut(argument as (string | number)[]);
  }
  if (!isObject(argument))
    return fail(at, `anything-but takes ${ANYTHING_BUT_FORMS}; found ${describeType(argument)}`);
  const keys = Object.keys(argument);
  const operator = keys[0] ?? "";
  if (keys.length !== 1 || !["prefix", "suffix", "equals-ignore-case", "wildcard"].includes(operator)) {
    fail(
      at,
      `anything-but takes ${ANYTHING_BUT_FORMS}; found an object with ${keys.join(", ") || "no keys"}`,
    );
  }
  const here = childPath(at, operator);
  const values = stringOrStrings(argument[operator], here, `anything-but ${operator}`);
  switch (operator) {
    case "prefix":
    case "suffix":
      values.forEach((v, i) => {
        if (v === "")
          fail(values.length > 1 ? childPath(here, i) : here, `anything-but ${operator} cannot be empty`);
      });
      return anythingButAffix(operator, values);
    case "equals-ignore-case":
      return anythingButIgnoreCase(values);
    default:
      return anythingButWildcard(
        values.map((v, i) =>
          compileWildcard(v, Array.isArray(argument[operator]) ? childPath(here, i) : here),
        ),
      );
  }
}

function stringOrStrings(value: unknown, at: string, what: string): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) {
    if (value.length === 0) fail(at, `${what} does not accept an empty list`);
    value.forEach((v, i) => {
      if (typeof v !== "string")
        fail(childPath(at, i), `${what} takes only strings, found ${describeType(v)}`);
    });
    return value as string[];
  }
  return fail(at, `${what} takes a string or a list of strings, found ${describeType(value)}`);
}

const LOWER_BOUNDS = new Set([">", ">="]);
const UPPER_BOUNDS = new Set(["<", "<="]);

function compileNumericRange(argument: unknown, at: string): NumericRange {
  const shape = `[">", 0, "<=", 5], [">=", 10] or ["=", 3]`;
  if (!Array.isArray(argument))
    return fail(at, `numeric takes an array such as ${shape}, found ${describeType(argument)}`);
  if (argument.length !== 2 && argument.length !== 4) {
    fail(
      at,
      `numeric takes one comparison or a lower and an upper bound, such as ${shape}; found ${argument.length} elements`,
    );
  }
  const comparisons: { operator: string; value: number }[] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const operator = argument[i];
    if (typeof operator !== "string" || !["=", "<", "<=", ">", ">="].includes(operator)) {
      fail(
        childPath(at, i),
        `expected a numeric operator (=, <, <=, >, >=), found ${JSON.stringify(operator)}`,
      );
    }
    const value = argument[i + 1];
    if (typeof value !== "number") {
      fail(
        childPath(at, i + 1),
        `the operand of "${operator}" must be a number, found ${describeType(value)}`,
      );
    }
    comparisons.push({
      operator: operator as string,
      value: checkNumericOperand(value as number, childPath(at, i + 1)),
    });
  }
  const [first, second] = comparisons as [
    { operator: string; value: number },
    { operator: string; value: number }?,
  ];
  if (!second) {
    if (first.operator === "=")
      return {
        lower: { value: first.value, inclusive: true },
        upper: { value: first.value, inclusive: true },
      };
    const bound = { value: first.value, inclusive: first.operator.endsWith("=") };
    return LOWER_BOUNDS.has(first.operator) ? { lower: bound } : { upper: bound };
  }
  if (!LOWER_BOUNDS.has(first.operator) || !UPPER_BOUNDS.has(second.operator)) {
    fail(
      at,
      `a numeric range is a lower bound (">" or ">=") followed by an upper bound ("<" or "<="), found "${first.operator}" then "${second.operator}"`,
    );
  }
  if (first.value >= second.value) {
    fail(
      at,
      `numeric range is empty: the lower bound ${first.value} must be less than the upper bound ${second.value}`,
    );
  }
  return {
    lower: { value: first.value, inclusive: first.operator === ">=" },
    upper: { value: second.value, inclusive: second.operator === "<=" },
  };
}

/** EventBridge compares numbers between -5e9 and 5e9 with six decimal places. */
function checkNumericOperand(value: number, at: string): number {
  if (!Number.isFinite(value) || value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) {
    fail(at, `numeric values must be between -5e9 and 5e9 inclusive, found ${value}`);
  }
  const text = String(Math.abs(value));
  const decimals = text.includes("e") ? Number.POSITIVE_INFINITY : (text.split(".")[1]?.length ?? 0);
  if (decimals > 6) fail(at, `numeric values may have at most 6 decimal places, found ${value}`);
  return value;
}
