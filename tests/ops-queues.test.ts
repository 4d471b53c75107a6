import { describeQueueOperations } from "./support/queue-operations.ts";

describeQueueOperations({ name: "embedded", distributed: false, available: true });
