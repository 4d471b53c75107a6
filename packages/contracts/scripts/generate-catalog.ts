import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import packageJson from "../package.json" with { type: "json" };
import { renderAsyncApi } from "../src/asyncapi.ts";
import { renderEventCatalog } from "../src/event-catalog.ts";
import { allEventTypes } from "../src/events/index.ts";
import { allExternalEventTypes } from "../src/external/index.ts";
import { participantsOf } from "./event-participants.ts";

/**
 * Writes docs/events.md, docs/asyncapi.json and src/event-participants.json (who sends and who
 * receives each event, read from the service definitions, so that the platform can serve the same
 * AsyncAPI document at /asyncapi.json without importing a service).
 */
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

// Rendered before the services load: their routes name some contract schemas in zod's global
// registry (for the OpenAPI document), which would turn them into references here.
const catalog = new URL("../../../docs/events.md", import.meta.url);
await fs.writeFile(catalog, renderEventCatalog(allEventTypes, allExternalEventTypes));

const { serviceCatalog } = await import("../../../apps/cli/src/services.ts");
const participants = participantsOf(
  allEventTypes,
  serviceCatalog.map((entry) => entry.create()),
);
const participantsFile = new URL("../src/event-participants.json", import.meta.url);
await fs.writeFile(participantsFile, json(participants));
const asyncApi = new URL("../../../docs/asyncapi.json", import.meta.url);
await fs.writeFile(
  asyncApi,
  json(renderAsyncApi(allEventTypes, { version: packageJson.version, participants })),
);
// Formatted as `npm run lint` wants them; the in-step test compares the parsed JSON.
execFileSync(
  "npx",
  ["biome", "format", "--write", fileURLToPath(participantsFile), fileURLToPath(asyncApi)],
  {
    stdio: "ignore",
  },
);
console.log(`wrote ${allEventTypes.length} events to ${catalog.pathname} and ${asyncApi.pathname}`);
