import { z } from "zod";
import type { EventType } from "./event-type.ts";

/** Renders the event catalog as Markdown: one section per event with its JSON Schema. */
export function renderEventCatalog(types: EventType<unknown>[]): string {
  const sorted = [...types].sort((a, b) =>
    `${a.source}/${a.detailType}`.localeCompare(`${b.source}/${b.detailType}`),
  );
  const lines = [
    "# Event catalog",
    "",
    "Generated from `packages/contracts` by `npm run events:catalog`; do not edit by hand.",
    "Every event travels in the EventBridge envelope (`version`, `id`, `detail-type`, `source`,",
    "`account`, `time`, `region`, `resources`, `detail`) plus `metadata` with `correlation-id`,",
    "`causation-id` and `traceparent`. `detail` is validated against the schema below when published",
    "and when consumed.",
    "",
    "| source | detail-type | description |",
    "|---|---|---|",
    ...sorted.map(
      (type) => `| \`${type.source}\` | [${type.detailType}](#${anchor(type)}) | ${type.description} |`,
    ),
    "",
  ];
  for (const type of sorted) {
    lines.push(
      `## ${type.detailType}`,
      "",
      `Source \`${type.source}\`. ${type.description}`,
      "",
      "Pattern:",
      "",
      "```json",
      JSON.stringify(type.pattern),
      "```",
      "",
      "Detail schema:",
      "",
      "```json",
      JSON.stringify(z.toJSONSchema(type.schema, { io: "input" }), null, 2),
      "```",
      "",
    );
  }
  return lines.join("\n");
}

function anchor(type: EventType<unknown>): string {
  return type.detailType.toLowerCase();
}
