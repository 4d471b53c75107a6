/**
 * The purpose payment tokens are sealed for (platform's sealed box): orders seals the customer's
 * token with it for PaymentRequested, payments opens it; a value sealed for anything else fails.
 */
export const paymentTokenPurpose = "payment-token";
