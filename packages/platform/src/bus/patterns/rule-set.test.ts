import { describe, expect, it } from "vitest";
import { compilePattern, InvalidPatternError, RuleSet } from "./index.ts";

describe("RuleSet", () => {
  it("returns the targets of matching rules and tracks its size", () => {
    const rules = new RuleSet();
    rules.add("orders", { source: ["shop.orders"] }, "orders-queue");
    rules.add("paid", { source: ["shop.orders"], "detail-type": ["OrderPaid"] }, "billing-queue");
    rules.add("stock", { source: ["shop.inventory"] }, "stock-queue");
    expect(rules.size).toBe(3);
    expect(rules.match({ source: "shop.orders", "detail-type": "OrderPaid" })).toEqual([
      "orders-queue",
      "billing-queue",
    ]);
    expect(rules.match({ source: "shop.orders", "detail-type": "OrderPlaced" })).toEqual(["orders-queue"]);
    expect(rules.match({ source: "elsewhere" })).toEqual([]);
  });

  it("removes rules by name", () => {
    const rules = new RuleSet();
    rules.add("a", { source: ["x"] }, "A");
    rules.add("b", { source: ["x"] }, "B");
    expect(rules.remove("a")).toBe(true);
    expect(rules.remove("a")).toBe(false);
    expect(rules.size).toBe(1);
    expect(rules.match({ source: "x" })).toEqual(["B"]);
    rules.remove("b");
    expect(rules.match({ source: "x" })).toEqual([]);
  });

  it("replaces a rule added again under the same name", () => {
    const rules = new RuleSet();
    rules.add("r", { source: ["old"] }, "first");
    rules.add("r", { source: ["new"] }, "second");
    expect(rules.size).toBe(1);
    expect(rules.match({ source: "old" })).toEqual([]);
    expect(rules.match({ source: "new" })).toEqual(["second"]);
  });

  it("leaves the set unchanged when a pattern is invalid", () => {
    const rules = new RuleSet();
    rules.add("r", { source: ["a"] }, "kept");
    expect(() => rules.add("r", { source: "a" }, "broken")).toThrow(InvalidPatternError);
    expect(rules.size).toBe(1);
    expect(rules.match({ source: "a" })).toEqual(["kept"]);
  });

  it("returns a rule once even when several of its alternatives match", () => {
    const rules = new RuleSet();
    rules.add("either", { $or: [{ a: ["1"] }, { b: ["2"] }] }, "E");
    rules.add("list", { a: ["1", { prefix: "1" }, { exists: true }] }, "L");
    expect(rules.match({ a: "1", b: "2" })).toEqual(["E", "L"]);
  });

  it("keeps rules with shared conditions independent", () => {
    const rules = new RuleSet<number>();
    for (let i = 0; i < 20; i++) {
      rules.add(
        `r${i}`,
        { source: ["shop"], "detail-type": ["OrderPaid"], detail: { total: [{ numeric: [">", i * 10] }] } },
        i,
      );
    }
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid", detail: { total: 45 } })).toEqual([
      0, 1, 2, 3, 4,
    ]);
    for (let i = 0; i < 20; i += 2) rules.remove(`r${i}`);
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid", detail: { total: 45 } })).toEqual([
      1, 3,
    ]);
    for (let i = 1; i < 20; i += 2) rules.remove(`r${i}`);
    expect(rules.size).toBe(0);
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid", detail: { total: 45 } })).toEqual([]);
  });

  it("keeps rules independent when a value list overlaps single values", () => {
    const rules = new RuleSet();
    rules.add("list", { source: ["shop"], "detail-type": ["OrderPaid", "OrderRefunded"] }, "L");
    rules.add("paid", { source: ["shop"], "detail-type": ["OrderPaid"] }, "P");
    rules.add("refunded", { "detail-type": ["OrderRefunded"], source: ["shop"] }, "R");
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid" })).toEqual(["L", "P"]);
    expect(rules.match({ source: "shop", "detail-type": "OrderRefunded" })).toEqual(["L", "R"]);
    rules.remove("list");
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid" })).toEqual(["P"]);
    expect(rules.match({ source: "shop", "detail-type": "OrderRefunded" })).toEqual(["R"]);
    rules.add("list", { source: ["shop"], "detail-type": ["OrderPaid", "OrderRefunded"] }, "L2");
    rules.remove("paid");
    expect(rules.match({ source: "shop", "detail-type": "OrderPaid" })).toEqual(["L2"]);
  });

  it("supports any target type", () => {
    const target = { queue: "q", retries: 3 };
    const rules = new RuleSet<typeof target>();
    rules.add("r", { source: ["s"] }, target);
    expect(rules.match({ source: "s" })[0]).toBe(target);
  });

  it("agrees with a naive evaluator on random rules and events, through adds and removes", () => {
    const random = mulberry32(20240521);
    const rules = new RuleSet();
    const patterns = new Map<string, Pattern>();
    for (let i = 0; i < 300; i++) {
      const pattern = randomPattern(random);
      rules.add(`rule-${i}`, pattern, `rule-${i}`);
      patterns.set(`rule-${i}`, pattern);
    }
    const events = Array.from({ length: 400 }, () => randomEvent(random));
    const check = () => {
      let matched = 0;
      for (const event of events) {
        const expected = [...patterns]
          .filter(([, pattern]) => naiveMatches(pattern, event))
          .map(([name]) => name);
        matched += expected.length;
        expect(rules.match(event), JSON.stringify(event)).toEqual(expected);
      }
      return matched;
    };
    expect(check()).toBeGreaterThan(events.length);

    for (let i = 0; i < 300; i += 3) {
      rules.remove(`rule-${i}`);
      patterns.delete(`rule-${i}`);
    }
    for (let i = 1; i < 300; i += 3) {
      const pattern = randomPattern(random);
      rules.add(`rule-${i}`, pattern, `rule-${i}`);
      patterns.delete(`rule-${i}`);
      patterns.set(`rule-${i}`, pattern);
    }
    check();

    for (const [name, pattern] of [...patterns].slice(0, 40)) {
      const compiled = compilePattern(pattern);
      for (const event of events) expect(compiled.matches(event), name).toBe(naiveMatches(pattern, event));
    }
  });
});

type Pattern = { [key: string]: unknown };
type Event = { [key: string]: unknown };

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRING_FIELDS: Record<string, string[]> = {
  source: ["shop.orders", "shop.payments", "shop.inventory", "crm.customers"],
  "detail-type": ["OrderPlaced", "OrderPaid", "PaymentFailed", "StockLow"],
  "detail.status": ["open", "paid", "Shipped", "cancelled", ""],
  "detail.region": ["eu-west-1", "us-east-1", "EU-central-1"],
};
const NUMBER_FIELDS: Record<string, number[]> = { "detail.amount": [0, 5, 99.5, 100, 250, 1000] };

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomCondition(random: () => number, path: string): unknown[] {
  const numbers = NUMBER_FIELDS[path];
  if (numbers) {
    return pick(random, [
      () => [pick(random, numbers)],
      () => [{ numeric: [">", pick(random, numbers)] }],
      () => [{ numeric: [">=", 5, "<", pick(random, [100, 250, 2000])] }],
      () => [{ "anything-but": [pick(random, numbers), pick(random, numbers)] }],
      () => [{ exists: random() < 0.5 }],
      () => [pick(random, numbers), { numeric: ["<", 1] }],
    ])();
  }
  const values = STRING_FIELDS[path] ?? [];
  const value = pick(random, values);
  return pick(random, [
    () => [value],
    () => [value, pick(random, values)],
    () => [{ prefix: value.slice(0, 1 + Math.floor(random() * 4)) }],
    () => [{ suffix: value.slice(-1 - Math.floor(random() * 3)) }],
    () => [{ "equals-ignore-case": value.toUpperCase() }],
    () => [{ prefix: { "equals-ignore-case": value.slice(0, 3).toUpperCase() } }],
    () => [{ "anything-but": value }],
    () => [{ "anything-but": { prefix: value.slice(0, 2) || "x" } }],
    () => [{ wildcard: `*${value.slice(1, 3) || "e"}*` }],
    () => [{ exists: random() < 0.5 }],
    () => [{ "anything-but": value }, { exists: false }],
  ])();
}

function setPath(target: Pattern, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Pattern;
  }
  node[parts[parts.length - 1] as string] = value;
}

function randomPattern(random: () => number): Pattern {
  const paths = [...Object.keys(STRING_FIELDS), ...Object.keys(NUMBER_FIELDS)];
  const chosen = paths.filter(() => random() < 0.45);
  if (chosen.length === 0) chosen.push(pick(random, ["source", "detail-type"]));
  const pattern: Pattern = {};
  if (chosen.length >= 3 && random() < 0.3) {
    const [a, b, ...rest] = chosen as [string, string, ...string[]];
    const left: Pattern = {};
    const right: Pattern = {};
    setPath(left, a, randomCondition(random, a));
    setPath(right, b, randomCondition(random, b));
    pattern.$or = [left, right];
    for (const path of rest) setPath(pattern, path, randomCondition(random, path));
    return pattern;
  }
  for (const path of chosen) setPath(pattern, path, randomCondition(random, path));
  return pattern;
}

function randomEvent(random: () => number): Event {
  const event: Event = {};
  for (const [path, values] of Object.entries(STRING_FIELDS)) {
    if (random() < 0.85) setPath(event, path, pick(random, values));
  }
  for (const [path, values] of Object.entries(NUMBER_FIELDS)) {
    if (random() < 0.8)
      setPath(event, path, random() < 0.1 ? String(pick(random, values)) : pick(random, values));
  }
  return event;
}

const isObject = (value: unknown): value is Event =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A direct reading of the documented semantics, for events without arrays. */
function naiveMatches(pattern: Pattern, event: Event | undefined): boolean {
  return Object.entries(pattern).every(([key, condition]) => {
    if (key === "$or")
      return (condition as Pattern[]).some((alternative) => naiveMatches(alternative, event));
    const value = event?.[key];
    if (!Array.isArray(condition))
      return naiveMatches(condition as Pattern, isObject(value) ? value : undefined);
    const present = value !== undefined && !isObject(value);
    return condition.some((alternative) => naiveAlternative(alternative, value, present));
  });
}

function naiveAlternative(alternative: unknown, value: unknown, present: boolean): boolean {
  if (!isObject(alternative)) return present && value === alternative;
  const [operator, argument] = Object.entries(alternative)[0] as [string, unknown];
  const text = typeof value === "string" ? value : undefined;
  switch (operator) {
    case "exists":
      return argument === present;
    case "prefix":
      return isObject(argument)
        ? text?.toLowerCase().startsWith(String(argument["equals-ignore-case"]).toLowerCase()) === true
        : text?.startsWith(argument as string) === true;
    case "suffix":
      return text?.endsWith(argument as string) === true;
    case "equals-ignore-case":
      return text !== undefined && text.toLowerCase() === (argument as string).toLowerCase();
    case "wildcard": {
      const source = (argument as string)
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      return text !== undefined && new RegExp(`^${source.join(".*")}$`, "s").test(text);
    }
    case "numeric": {
      if (typeof value !== "number") return false;
      const terms = argument as (string | number)[];
      for (let i = 0; i < terms.length; i += 2) {
        const bound = terms[i + 1] as number;
        const ok = {
          "=": value === bound,
          ">": value > bound,
          ">=": value >= bound,
          "<": value < bound,
          "<=": value <= bound,
        }[terms[i] as "=" | ">" | ">=" | "<" | "<="];
        if (!ok) return false;
      }
      return true;
    }
    case "anything-but": {
      if (!present) return false;
      if (isObject(argument)) return text === undefined || !text.startsWith(argument.prefix as string);
      return !(Array.isArray(argument) ? argument : [argument]).includes(value);
    }
    default:
      throw new Error(`naive evaluator does not know ${operator}`);
  }
}
