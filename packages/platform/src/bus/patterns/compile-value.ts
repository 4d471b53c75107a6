import { compileAnythingBut } from "./anything-but-operator.ts";
import { childPath, describeType, fail, isObject, type JsonObject } from "./errors.ts";
import { type FieldCondition, makeCondition } from "./field-condition.ts";
import { parseCidr } from "./ip.ts";
import {
  absentMatcher,
  affix,
  cidr,
  equalsIgnoreCase,
  exact,
  exactString,
  existsMatcher,
  type Matcher,
  numeric,
  wildcard,
} from "./matchers.ts";
import { compileNumericRange } from "./numeric-operator.ts";
import { compileWildcard, requireString } from "./operator-arguments.ts";

export const OPERATORS = [
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
];

/** A field's array of values to match, as one condition; duplicate values count once. */
export function compileCondition(path: string, values: unknown[], at: string): FieldCondition {
  if (values.length === 0) fail(at, "empty arrays are not allowed: list at least one value to match");
  const matchers = new Map<string, Matcher>();
  values.forEach((value, i) => {
    const matcher = compileValue(value, childPath(at, i));
    matchers.set(matcher.key, matcher);
  });
  return makeCondition(path, [...matchers.values()]);
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
