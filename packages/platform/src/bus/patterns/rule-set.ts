import { compileRule } from "./compile.ts";
import type { CompiledRule } from "./field-condition.ts";
import { type MachineRule, PatternMachine } from "./machine.ts";

interface RuleRecord<T> extends MachineRule {
  readonly name: string;
  readonly target: T;
  readonly compiled: CompiledRule;
}

/**
 * Named rules, each an event pattern with a target, compiled together so that matching an event
 * costs about the same with 10 rules as with 1,000 (see PatternMachine).
 */
export class RuleSet<T = string> {
  readonly #machine = new PatternMachine<RuleRecord<T>>();
  readonly #rules = new Map<string, RuleRecord<T>>();
  #added = 0;

  /**
   * Adds a rule, replacing any rule of the same name. Throws InvalidPatternError for an invalid
   * pattern, in which case the set is left unchanged.
   */
  add(name: string, pattern: unknown, target: T): void {
    const compiled = compileRule(pattern);
    this.remove(name);
    const record: RuleRecord<T> = { name, target, compiled, order: this.#added++, stamp: 0 };
    this.#rules.set(name, record);
    this.#machine.add(record, compiled);
  }

  /** Removes the named rule; false if there was none. */
  remove(name: string): boolean {
    const record = this.#rules.get(name);
    if (record === undefined) return false;
    this.#rules.delete(name);
    this.#machine.remove(record, record.compiled);
    return true;
  }

  /** The targets of the rules the event matches, one per matching rule, in the order rules were added. */
  match(event: unknown): T[] {
    const records = this.#machine.match(event);
    const targets = new Array<T>(records.length);
    for (let i = 0; i < records.length; i++) targets[i] = (records[i] as RuleRecord<T>).target;
    return targets;
  }

  get size(): number {
    return this.#rules.size;
  }
}
