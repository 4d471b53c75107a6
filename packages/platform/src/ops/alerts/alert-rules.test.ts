import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { loadConfig } from "../../config.ts";
import { alertRules } from "./alert-rules.ts";

const rulesFile = new URL("../../../../../deploy/prometheus/alerts.yml", import.meta.url);

const prometheusRules = z.object({
  groups: z
    .array(
      z.object({
        name: z.string(),
        rules: z.array(
          z
            .object({
              alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a Prometheus alert name"),
              expr: z.string(),
              labels: z.object({ severity: z.enum(["critical", "warning"]) }),
              annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }),
            })
            .strict(),
        ),
      }),
    )
    .length(1),
});

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** The comparison an expression ends with: `... > 0.1` gives 0.1. */
function thresholdOf(expr: string): number {
  const match = /> (\d+(?:\.\d+)?)\s*$/.exec(expr);
  if (!match?.[1]) throw new Error(`${expr} does not end with "> <number>"`);
  return Number(match[1]);
}

/** Every range selector's length in seconds: `[5m]` gives 300. */
function rangesOf(expr: string): number[] {
  return [...expr.matchAll(/\[(\d+)([smh])\]/g)].map(
    ([, amount, unit]) => Number(amount) * (durationUnits[unit ?? ""] ?? Number.NaN),
  );
}

describe("deploy/prometheus/alerts.yml", () => {
  it("holds the rules the operations API evaluates: names, severities, metrics, thresholds, windows", async () => {
    const file = prometheusRules.parse(parse(await fs.readFile(rulesFile, "utf8")));
    const rules = file.groups.flatMap((group) => group.rules);
    const defaults = loadConfig({}).alerts;

    expect(rules.map((rule) => rule.alert)).toEqual(alertRules.map((rule) => rule.name));
    for (const [index, inProcess] of alertRules.entries()) {
      const rule = rules[index];
      expect(rule?.labels.severity, inProcess.name).toBe(inProcess.severity);
      const metricsRead = [...(rule?.expr ?? "").matchAll(/\bmercato_[a-z_]+/g)].map(([name]) => name);
      expect(new Set(metricsRead), inProcess.name).toEqual(new Set(inProcess.metrics));
      expect(thresholdOf(rule?.expr ?? ""), inProcess.name).toBe(inProcess.threshold(defaults));
      const ranges = rangesOf(rule?.expr ?? "");
      if (inProcess.windowSeconds) {
        expect(ranges.length, inProcess.name).toBeGreaterThan(0);
        for (const range of ranges) expect(range, inProcess.name).toBe(inProcess.windowSeconds(defaults));
      } else {
        expect(ranges, inProcess.name).toEqual([]);
      }
    }
  });
});
