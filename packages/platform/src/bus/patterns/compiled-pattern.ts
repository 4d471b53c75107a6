import { compileRule } from "./compile.ts";
import { type MachineRule, PatternMachine } from "./machine.ts";

/** A validated event pattern, compiled once and reusable for any number of events. */
export interface CompiledPattern {
  matches(event: unknown): boolean;
}

/** Validates and compiles a pattern. Throws InvalidPatternError (with the JSON path) if it is invalid. */
export function compilePattern(pattern: unknown): CompiledPattern {
  const compiled = compileRule(pattern);
  const machine = new PatternMachine<MachineRule>();
  machine.add({ stamp: 0, order: 0 }, compiled);
  return { matches: (event) => machine.match(event).length > 0 };
}

/** EventBridge's TestEventPattern: does this event match this pattern? Throws InvalidPatternError. */
export function testEventPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}
