export { type AwsTransportOptions, createAwsTransport } from "./aws-transport.ts";
