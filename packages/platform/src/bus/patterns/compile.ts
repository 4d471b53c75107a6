import { compileCondition, OPERATORS } from "./compile-value.ts";
import { childPath, describeType, fail, isObject, type JsonObject } from "./errors.ts";
import {
  type CompiledRule,
  type Conjunction,
  compareConditions,
  type FieldCondition,
  makeCondition,
} from "./field-condition.ts";

/**
 * Compiling recurses once per nested object, so a deep enough pattern (10,000 levels, sent over the
 * operations API) overflowed the stack. Real events nest a handful of levels; a pattern deeper than
 * this is refused with the path where it went too deep.
 */
export const MAX_DEPTH = 24;

/** `$or` multiplies alternatives; past this a pattern is refused rather than compiled. */
const MAX_ALTERNATIVES = 1024;

/** Names EventBridge reserves for operators: inside `$or` they cannot be field names. */
const RESERVED_IN_OR = new Set([...OPERATORS, "exactly", "=", "<", "<=", ">", ">="]);

type Branch = ReadonlyMap<string, FieldCondition>;

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
