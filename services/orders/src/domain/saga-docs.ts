import type { SagaAnswer, SagaReaction, SagaStep } from "./checkout-saga.ts";

// The saga's table in docs/checkout-saga.md is written from checkout-saga.ts: `npm run saga:table`
// rewrites what stands between these markers, and a test fails when the page is behind the code.
const begin = "<!-- saga-table: generated from services/orders/src/domain/checkout-saga.ts -->";
const end = "<!-- /saga-table -->";

/** The saga as a Markdown table, one row a step. */
export function renderSagaTable(saga: readonly SagaStep[]): string {
  const rows = saga.map((step) => [
    `${step.step}. ${step.name}`,
    step.participant,
    setOffBy(step),
    [step.action, ...completion(step.completion ?? [])].join("; then "),
    step.success ? answered(step.success) : "",
    [
      step.failure ? answered(step.failure) : "",
      step.deadline ? `${step.deadline.when} → ${step.deadline.outcome}` : "",
    ]
      .filter(Boolean)
      .join("; "),
    step.compensation
      ? `${reaction(step.compensation)}${step.compensation.answer ? `, answering ${answered(step.compensation.answer)}` : ""}`
      : "",
  ]);
  for (const row of rows)
    row.forEach((cell, index) => {
      if (cell === "") row[index] = "—";
    });
  const header = [
    "Step",
    "Participant",
    "Set off by",
    "Does",
    "Success → orders",
    "Failure → orders",
    "Compensation",
  ];
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** `markdown` with the table between the markers replaced by the saga's. */
export function withSagaTable(markdown: string, saga: readonly SagaStep[]): string {
  const from = markdown.indexOf(begin);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`The page has no saga table markers (${begin} ... ${end})`);
  return `${markdown.slice(0, from)}${begin}\n${renderSagaTable(saga)}\n${markdown.slice(to)}`;
}

function setOffBy(step: SagaStep): string {
  if (step.request) return `request ${code(step.request.detailType)} from orders`;
  if (typeof step.trigger === "object") return `reacts to ${code(step.trigger.detailType)}`;
  return step.trigger ?? "";
}

function answered(answer: SagaAnswer): string {
  return `${code(answer.event.detailType)} → ${answer.outcome}`;
}

function reaction(entry: SagaReaction): string {
  return `${entry.on.map((event) => code(event.detailType)).join(", ")} → ${entry.by} ${entry.action}`;
}

/** The participants' parts of the completion, grouped by the event they act on. */
function completion(reactions: readonly SagaReaction[]): string[] {
  const byEvents = new Map<string, string[]>();
  for (const entry of reactions) {
    const events = entry.on.map((event) => code(event.detailType)).join(", ");
    byEvents.set(events, [...(byEvents.get(events) ?? []), `${entry.by} ${entry.action}`]);
  }
  return [...byEvents].map(([events, parts]) => `${events} → ${parts.join(", ")}`);
}

function code(text: string): string {
  return `\`${text}\``;
}
