/**
 * Event-pattern matching cost versus rule count: builds realistic rule sets of 10, 100 and 1,000
 * rules and measures RuleSet.match over a stream of realistic events.
 *
 * As in a growing platform, more rules come with more event types: each event type (source and
 * detail-type) has about 2.5 subscribing rules whatever the rule count, and some rules span types
 * (source prefixes, detail-type suffixes). Events therefore match 1-3 rules at every size, and the
 * ratio to the 10-rule cost shows what the number of rules itself costs.
 *
 *   npx tsx bench/patterns.ts
 *
 * Targets: at least 200,000 events/s with 1,000 rules, and a per-event cost at 1,000 rules no more
 * than 1.5 times the cost at 10 rules.
 */
import { pathToFileURL } from "node:url";
import { RuleSet } from "../packages/platform/src/bus/patterns/index.ts";
import { describeMachine, formatRate, printTable } from "./machine.ts";

export interface PatternBenchResult {
  rules: number;
  eventsPerSecond: number;
  nsPerEvent: number;
  /** ns/event divided by ns/event with 10 rules. */
  ratioTo10Rules: number;
  /** Average number of rules each event matched. */
  matchesPerEvent: number;
  meetsTarget: boolean;
}

export const PATTERN_BENCH_TARGET = { minEventsPerSecond: 200_000, maxRatioTo10Rules: 1.5 } as const;

const RULE_COUNTS = [10, 100, 1_000];
/** Small enough to stay in cache, like an event matched right after it was parsed. */
const EVENTS_PER_STREAM = 2_000;
const WARMUP_MS = 300;
/** Each rule count is measured for SLICES x SLICE_MS (about 1 s), in slices interleaved with the others. */
const SLICES = 20;
const SLICE_MS = 50;

const DOMAINS = [
  "orders",
  "payments",
  "inventory",
  "shipping",
  "customers",
  "catalog",
  "cart",
  "reviews",
  "promotions",
  "returns",
  "invoices",
  "loyalty",
  "search",
  "pricing",
  "fulfilment",
  "notifications",
  "accounts",
  "subscriptions",
  "giftcards",
  "warehouse",
];
const SOURCES = DOMAINS.flatMap((domain) => [`mercato.${domain}`, `marketplace.${domain}`]);
const VERBS = [
  "Created",
  "Updated",
  "Deleted",
  "Approved",
  "Rejected",
  "Failed",
  "Completed",
  "Cancelled",
  "Requested",
  "Expired",
  "Scheduled",
  "Archived",
];
const CURRENCIES = ["EUR", "USD", "GBP", "SEK"];
const STATUSES = ["pending", "completed", "COMPLETED", "failed", "on-hold"];
const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"];
const CHANNELS = ["web", "mobile", "pos", "api"];

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

function detailTypesOf(source: string): string[] {
  const domain = source.slice(source.indexOf(".") + 1);
  const entity = domain[0]?.toUpperCase() + domain.slice(1);
  return VERBS.map((verb) => `${entity}${verb}`);
}

type Detail = Record<string, unknown>;

interface GeneratedRule {
  pattern: Record<string, unknown>;
  /** A source and detail-type this rule accepts, used to aim events at it. */
  source: string;
  detailType: string;
  /** Adjusts an event's detail so that the rule's detail conditions hold. */
  satisfy: (detail: Detail) => void;
}

interface EventType {
  source: string;
  detailType: string;
}

const ALL_EVENT_TYPES: EventType[] = SOURCES.flatMap((source) =>
  detailTypesOf(source).map((detailType) => ({ source, detailType })),
);
const RULES_PER_EVENT_TYPE = 2.5;

/** Rules as services write them: mostly source and detail-type, often with one or two detail conditions. */
/**
 * `kind` in [0, 1) picks the rule's shape: 30% source and detail-type only, 15% a detail-type list,
 * 15% a numeric detail condition (half with a source prefix), 10% anything-but, 8% exists, 10% a
 * prefix and a value list, 5% a detail-type suffix, 7% equals-ignore-case with a numeric range.
 */
function generateRule(random: () => number, eventTypes: readonly EventType[], kind: number): GeneratedRule {
  const { source, detailType } = pick(random, eventTypes);
  const types = eventTypes.filter((t) => t.source === source).map((t) => t.detailType);
  const base = { source: [source], "detail-type": [detailType] };
  const rule = (pattern: Record<string, unknown>, satisfy: (detail: Detail) => void = () => {}) => ({
    pattern,
    source,
    detailType,
    satisfy,
  });
  if (kind < 0.3) return rule(base);
  if (kind < 0.45) return rule({ ...base, "detail-type": [...new Set([detailType, pick(random, types)])] });
  if (kind < 0.6) {
    const threshold = Math.round(random() * 1000);
    const sourceCondition = random() < 0.5 ? { prefix: source.slice(0, source.indexOf(".") + 1) } : source;
    return rule(
      {
        source: [sourceCondition],
        "detail-type": [detailType],
        detail: { total: [{ numeric: [">", threshold] }] },
      },
      (detail) => {
        detail.total = threshold + 1 + Math.round(random() * 50_000) / 100;
      },
    );
  }
  if (kind < 0.7) {
    const excluded = pick(random, CURRENCIES);
    return rule({ ...base, detail: { currency: [{ "anything-but": [excluded] }] } }, (detail) => {
      detail.currency = pick(
        random,
        CURRENCIES.filter((c) => c !== excluded),
      );
    });
  }
  if (kind < 0.78) {
    return rule({ ...base, detail: { tier: [{ exists: true }] } }, (detail) => {
      detail.tier ??= "gold";
    });
  }
  if (kind < 0.88) {
    return rule(
      { ...base, detail: { region: [{ prefix: "eu-" }], channel: ["web", "mobile"] } },
      (detail) => {
        detail.region = pick(random, ["eu-west-1", "eu-central-1"]);
        detail.channel = pick(random, ["web", "mobile"]);
      },
    );
  }
  if (kind < 0.93) return rule({ source: [source], "detail-type": [{ suffix: "Failed" }] });
  return rule(
    {
      ...base,
      detail: {
        status: [{ "equals-ignore-case": "completed" }],
        total: [{ numeric: [">=", 100, "<", 500] }],
      },
    },
    (detail) => {
      detail.status = pick(random, ["completed", "COMPLETED"]);
      detail.total = 100 + Math.round(random() * 39_999) / 100;
    },
  );
}

function generateEvent(random: () => number, source: string, detailType: string, sequence: number) {
  const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({
    sku: `SKU-${1000 + Math.floor(random() * 9000)}`,
    quantity: 1 + i,
  }));
  return {
    version: "0",
    id: `0190b6a2-7c1e-7000-8000-${String(sequence).padStart(12, "0")}`,
    "detail-type": detailType,
    source,
    account: "123456789012",
    time: "2025-01-15T10:20:30Z",
    region: "eu-west-1",
    resources: [],
    detail: {
      orderId: `ord_${sequence}`,
      customerId: `cus_${Math.floor(random() * 50_000)}`,
      total: Math.round(random() * 200_000) / 100,
      currency: pick(random, CURRENCIES),
      status: pick(random, STATUSES),
      region: pick(random, REGIONS),
      channel: pick(random, CHANNELS),
      ...(random() < 0.5 ? { tier: pick(random, ["gold", "silver"]) } : {}),
      items,
    },
  };
}

interface Workload {
  rules: RuleSet;
  events: object[];
}

/** Nine events in ten are aimed at a rule and satisfy it; the rest are of types no rule names. */
function buildWorkload(ruleCount: number, seed: number): Workload {
  const random = mulberry32(seed);
  const shuffled = [...ALL_EVENT_TYPES].sort(() => random() - 0.5);
  const published = Math.max(2, Math.ceil(ruleCount / RULES_PER_EVENT_TYPE));
  const eventTypes = shuffled.slice(0, published);
  const unsubscribed = shuffled.slice(published);
  const rules = new RuleSet();
  // Kinds are spread evenly rather than drawn, so every rule count gets the same mix.
  const generated = Array.from({ length: ruleCount }, (_, i) =>
    generateRule(random, eventTypes, (i + 0.5) / ruleCount),
  );
  generated.forEach((rule, i) => {
    rules.add(`rule-${i}`, rule.pattern, `queue-${i}`);
  });
  const events = Array.from({ length: EVENTS_PER_STREAM }, (_, i) => {
    if (random() < 0.9) {
      const rule = pick(random, generated);
      const event = generateEvent(random, rule.source, rule.detailType, i);
      rule.satisfy(event.detail);
      return event;
    }
    const { source, detailType } = pick(random, unsubscribed);
    return generateEvent(random, source, detailType, i);
  });
  return { rules, events };
}

function run(workload: Workload, durationMs: number): { events: number; matches: number; ns: number } {
  const { rules, events } = workload;
  const budget = BigInt(durationMs) * 1_000_000n;
  const started = process.hrtime.bigint();
  let elapsed = 0n;
  let count = 0;
  let matches = 0;
  while (elapsed < budget) {
    for (let i = 0; i < 1_000; i++) {
      matches += rules.match(events[(count + i) % events.length] as object).length;
    }
    count += 1_000;
    elapsed = process.hrtime.bigint() - started;
  }
  return { events: count, matches, ns: Number(elapsed) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function runPatternBench(): Promise<PatternBenchResult[]> {
  const workloads = RULE_COUNTS.map((count) => ({ count, workload: buildWorkload(count, 42 + count) }));
  for (const { workload } of workloads) run(workload, WARMUP_MS);

  // Slices of the rule counts alternate, so load from other processes affects each of them alike.
  const nsPerEvent = new Map<number, number[]>();
  const matchesPerEvent = new Map<number, number[]>();
  for (let slice = 0; slice < SLICES; slice++) {
    for (let k = 0; k < workloads.length; k++) {
      const { count, workload } = workloads[(slice + k) % workloads.length] as (typeof workloads)[number];
      const { events, matches, ns } = run(workload, SLICE_MS);
      nsPerEvent.set(count, [...(nsPerEvent.get(count) ?? []), ns / events]);
      matchesPerEvent.set(count, [...(matchesPerEvent.get(count) ?? []), matches / events]);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  const baseline = median(nsPerEvent.get(RULE_COUNTS[0] ?? 10) ?? []);
  return RULE_COUNTS.map((count) => {
    const ns = median(nsPerEvent.get(count) ?? []);
    const eventsPerSecond = 1e9 / ns;
    const ratioTo10Rules = ns / baseline;
    return {
      rules: count,
      eventsPerSecond: Math.round(eventsPerSecond),
      nsPerEvent: Math.round(ns),
      ratioTo10Rules: Math.round(ratioTo10Rules * 100) / 100,
      matchesPerEvent: Math.round(median(matchesPerEvent.get(count) ?? []) * 100) / 100,
      meetsTarget:
        eventsPerSecond >= PATTERN_BENCH_TARGET.minEventsPerSecond &&
        ratioTo10Rules <= PATTERN_BENCH_TARGET.maxRatioTo10Rules,
    };
  });
}

/** Prints the results table; sets a failing exit code when a target is missed. */
export async function main(): Promise<void> {
  console.log(
    `Event-pattern matching (RuleSet.match): median of ${SLICES} interleaved ${SLICE_MS} ms slices per rule count`,
  );
  const results = await runPatternBench();
  const target = `>= ${formatRate(PATTERN_BENCH_TARGET.minEventsPerSecond)} events/s, ratio <= ${PATTERN_BENCH_TARGET.maxRatioTo10Rules}`;
  printTable(
    results.map((r) => ({
      rules: r.rules,
      "events/s": formatRate(r.eventsPerSecond),
      "ns/event": r.nsPerEvent,
      "ratio vs 10 rules": r.ratioTo10Rules.toFixed(2),
      "matches/event": r.matchesPerEvent.toFixed(2),
      target,
      result: r.meetsTarget ? "ok" : "MISSED",
    })),
  );
  if (results.some((r) => !r.meetsTarget)) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`machine: ${describeMachine()}`);
  await main();
}
