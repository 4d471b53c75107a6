import { childPath, describeType, fail, isObject } from "./errors.ts";
import {
  anythingBut,
  anythingButAffix,
  anythingButIgnoreCase,
  anythingButWildcard,
  type Matcher,
} from "./matchers.ts";
import { checkNumericOperand, compileWildcard, stringOrStrings } from "./operator-arguments.ts";

const ANYTHING_BUT_FORMS =
  "a string, a number, a non-empty list of strings or of numbers, or an object with one of prefix, suffix, equals-ignore-case, wildcard";

export function compileAnythingBut(argument: unknown, at: string): Matcher {
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
