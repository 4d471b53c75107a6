import type { EventEnvelope } from "@mercato/contracts";
import { errorSummary } from "../../log-safe-error.ts";
import { compilePattern, RuleSet } from "../patterns/index.ts";
import type { Rule } from "../transport.ts";
import type { BusStore } from "./bus-store.ts";

/** The bus's rules: stored in LMDB, compiled into one `RuleSet` that routes each event to queues. */
export class RoutingRules {
  private readonly rules = new Map<string, Rule>();
  private readonly ruleSet = new RuleSet<string>();

  constructor(private readonly store: BusStore) {}

  /** Compiles the stored rules; throws when one no longer compiles. */
  load(): void {
    for (const { value: rule } of this.store.rules.getRange()) {
      try {
        this.ruleSet.add(rule.name, rule.eventPattern, rule.queue);
      } catch (error) {
        throw new Error(`Stored rule "${rule.name}" no longer compiles: ${errorSummary(error)}`);
      }
      this.rules.set(rule.name, rule);
    }
  }

  /** Stores and compiles `rule`, replacing the rule of that name; `hasQueue` checks its target. */
  async put(rule: Rule, hasQueue: (name: string) => boolean): Promise<void> {
    if (typeof rule.name !== "string" || rule.name.length === 0) {
      throw new Error("Invalid rule: name must be a non-empty string");
    }
    compilePattern(rule.eventPattern);
    if (!hasQueue(rule.queue)) {
      throw new Error(`Rule "${rule.name}" targets queue "${rule.queue}", which is not declared`);
    }
    const copy: Rule = { name: rule.name, eventPattern: rule.eventPattern, queue: rule.queue };
    await this.store.rules.put(copy.name, copy);
    if (this.rules.has(copy.name)) this.ruleSet.remove(copy.name);
    this.ruleSet.add(copy.name, copy.eventPattern, copy.queue);
    this.rules.set(copy.name, copy);
  }

  async delete(name: string): Promise<void> {
    if (!this.rules.has(name)) return;
    await this.store.rules.remove(name);
    this.ruleSet.remove(name);
    this.rules.delete(name);
  }

  list(): Rule[] {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  /** The queues of every rule that matches `event`; a queue may appear more than once. */
  match(event: EventEnvelope): string[] {
    return this.ruleSet.match(event);
  }
}
