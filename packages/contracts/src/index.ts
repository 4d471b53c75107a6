export {
  type EventParticipants,
  eventKey,
  messageId,
  type ParticipantsByEvent,
  renderAsyncApi,
  senderOf,
} from "./asyncapi.ts";
export { asyncApiDocument } from "./asyncapi-document.ts";
export { type EventEnvelope, type EventMetadata, eventEnvelopeSchema } from "./envelope.ts";
export {
  causedBy,
  defineEvent,
  type EventContext,
  type EventType,
  EventValidationError,
  type HandledEventType,
  newEnvelope,
} from "./event-type.ts";
export * from "./events/index.ts";
export * from "./external/index.ts";
export { defineExternalEvent, type ExternalEventType } from "./external-event-type.ts";
export {
  channelSchema,
  externalOrderIdSchema,
  type MarketplaceLine,
  marketplaceLinesSchema,
  maxStockUnits,
  stockSkuSchema,
} from "./marketplace-shapes.ts";
export { type Money, moneySchema } from "./money.ts";
export { type NotificationType, notificationTypeSchema } from "./notification-types.ts";
export {
  type CancellableStatus,
  cancellableStatusSchema,
  type OrderLine,
  type OrderStatus,
  orderLineSchema,
  orderStatusSchema,
  productIdSchema,
  type RejectionReason,
  type ReturnLine,
  type ReturnStatus,
  rejectionReasonSchema,
  returnLineSchema,
  returnStatusSchema,
  type ShippingAddress,
  shippingAddressSchema,
  skuSchema,
  type UnitLine,
  unitLineSchema,
} from "./order-shapes.ts";
export { paymentTokenPurpose } from "./payment-token.ts";
