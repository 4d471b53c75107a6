import { childPath, describeType, fail } from "./errors.ts";
import type { NumericRange } from "./matchers.ts";
import { checkNumericOperand } from "./operator-arguments.ts";

const LOWER_BOUNDS = new Set([">", ">="]);
const UPPER_BOUNDS = new Set(["<", "<="]);

export function compileNumericRange(argument: unknown, at: string): NumericRange {
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
