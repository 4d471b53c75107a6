import fs from "node:fs/promises";
import { renderEventCatalog } from "../src/event-catalog.ts";
import { allEventTypes } from "../src/events/index.ts";

const target = new URL("../../../docs/events.md", import.meta.url);
await fs.writeFile(target, renderEventCatalog(allEventTypes));
console.log(`wrote ${allEventTypes.length} events to ${target.pathname}`);
