export type { EventEnvelope, EventMetadata } from "./envelope.ts";
