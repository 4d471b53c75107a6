export { type CompiledPattern, compilePattern, testEventPattern } from "./compiled-pattern.ts";
export { InvalidPatternError } from "./errors.ts";
export { RuleSet } from "./rule-set.ts";
