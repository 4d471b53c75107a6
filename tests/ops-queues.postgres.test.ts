import { requireServer } from "@mercato/platform/testing";
import { describeQueueOperations } from "./support/queue-operations.ts";

const available = (await requireServer("postgres")) && (await requireServer("nats"));

describeQueueOperations({ name: "on PostgreSQL and NATS", distributed: true, available });
