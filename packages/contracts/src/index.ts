export { type EventEnvelope, type EventMetadata, eventEnvelopeSchema } from "./envelope.ts";
export { defineEvent, type EventContext, type EventType, EventValidationError } from "./event-type.ts";
