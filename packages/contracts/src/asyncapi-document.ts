import packageJson from "../package.json" with { type: "json" };
import { type ParticipantsByEvent, renderAsyncApi } from "./asyncapi.ts";
import participants from "./event-participants.json" with { type: "json" };
import { allEventTypes } from "./events/index.ts";

let document: Record<string, unknown> | undefined;

/**
 * The AsyncAPI 3 document of every event, served at `/asyncapi.json` and committed as
 * docs/asyncapi.json. Senders and receivers come from event-participants.json, which
 * `npm run events:catalog` derives from the service definitions (contracts import no service).
 */
export function asyncApiDocument(): Record<string, unknown> {
  document ??= renderAsyncApi(allEventTypes, {
    version: packageJson.version,
    participants: participants as ParticipantsByEvent,
  });
  return document;
}
