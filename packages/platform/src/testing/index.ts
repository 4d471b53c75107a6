export { conditionTimeoutMs, sleep, waitFor } from "../bus/test/wait.ts";
export { EventStreamClient, type ServerSentEvent } from "./event-stream-client.ts";
export {
  dropServiceDatabases,
  type ExternalService,
  externalServices,
  requireServer,
  serverResources,
} from "./external-services.ts";
export { captureLogs, type LogCapture, secretsIn } from "./log-capture.ts";
export { type S3Emulator, setEnvironment, startS3Emulator } from "./s3-emulator.ts";
export { createTestAuthority, type TestAuthority } from "./test-authority.ts";
export {
  type Answer,
  type CallOptions,
  call,
  startTestHost,
  type TestHost,
  type TestHostOptions,
} from "./test-host.ts";
