export { type EventEnvelope, type EventMetadata, eventEnvelopeSchema } from "./envelope.ts";
export {
  causedBy,
  defineEvent,
  type EventContext,
  type EventType,
  EventValidationError,
} from "./event-type.ts";
export * from "./events/index.ts";
export { type Money, moneySchema } from "./money.ts";
export { paymentTokenPurpose } from "./payment-token.ts";
