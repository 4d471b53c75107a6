import { z } from "zod";
import type { EventType, HandledEventType } from "./event-type.ts";
import type { ExternalEventType } from "./external-event-type.ts";

/**
 * Renders the event catalog as Markdown: one section per event with its JSON Schema, Mercato's own
 * events first, then those it acts on when other systems send them (`POST /api/events`).
 */
export function renderEventCatalog(
  types: EventType<unknown>[],
  external: ExternalEventType<unknown>[] = [],
): string {
  const sorted = [...types].sort((a, b) =>
    `${a.source}/${a.detailType}`.localeCompare(`${b.source}/${b.detailType}`),
  );
  const received = [...external].sort((a, b) => a.detailType.localeCompare(b.detailType));
  const lines = [
    "# Event catalog",
    "",
    "Generated from `packages/contracts` by `npm run events:catalog`; do not edit by hand.",
    "Every event travels in the EventBridge envelope (`version`, `id`, `detail-type`, `source`,",
    "`account`, `time`, `region`, `resources`, `detail`) plus `metadata` with `correlation-id`,",
    "`causation-id`, and the W3C trace context `traceparent` and `tracestate` (docs/observability.md).",
    "`detail` is validated against the schema below when published and when consumed.",
    "",
    "| source | detail-type | description |",
    "|---|---|---|",
    ...sorted.map(
      (type) => `| \`${type.source}\` | [${type.detailType}](#${anchor(type)}) | ${type.description} |`,
    ),
    "",
  ];
  if (received.length > 0) {
    lines.push(
      'Received from other systems through `POST /api/events` or `/aws/events` (api.md, "Events in"):',
      "Mercato acts on these when their source starts with one of the prefixes; ingestion refuses an",
      "entry of these types whose detail breaks its schema.",
      "",
      "| source | detail-type | description |",
      "|---|---|---|",
      ...received.map(
        (type) =>
          `| ${type.sourcePrefixes.map((prefix) => `\`${prefix}*\``).join(", ")} | [${type.detailType}](#${anchor(type)}) | ${type.description} |`,
      ),
      "",
    );
  }
  for (const type of sorted) lines.push(...section(type, `Source \`${type.source}\`.`));
  for (const type of received) {
    const sources = type.sourcePrefixes.map((prefix) => `\`${prefix}*\``).join(" or ");
    lines.push(...section(type, `Received from sources ${sources}.`));
  }
  return lines.join("\n");
}

function section(type: HandledEventType<unknown>, origin: string): string[] {
  return [
    `## ${type.detailType}`,
    "",
    `${origin} ${type.description}`,
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
  ];
}

/** The heading's anchor as GitHub writes it: lower case, spaces as hyphens. */
function anchor(type: { detailType: string }): string {
  return type.detailType.toLowerCase().replace(/ /g, "-");
}
