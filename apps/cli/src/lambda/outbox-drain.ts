import type { Host, RunningService } from "@mercato/platform";
import { OutboxRelay } from "@mercato/platform";
import type { Context } from "aws-lambda";

/** The longest an invocation spends publishing outboxes before it returns. */
const maxDrainMs = 10_000;
/** Time left to the invocation after the drain, to return its answer. */
const returnMarginMs = 1_000;
/** Events published per relay transaction. */
const batchSize = 500;
/** How long to wait before looking again when another invocation's relay holds an outbox. */
const heldRetryMs = 25;

const relays = new WeakMap<RunningService, OutboxRelay>();

/** When a drain in this invocation must stop: 10 s from now at most, and a second before Lambda's timeout. */
export function drainDeadline(context: Pick<Context, "getRemainingTimeInMillis">): number {
  return Date.now() + Math.max(0, Math.min(maxDrainMs, context.getRemainingTimeInMillis() - returnMarginMs));
}

/**
 * Publishes every service's outbox before the invocation returns. A Lambda container is frozen
 * between invocations, so there is no relay running in the background: an event committed by this
 * invocation would otherwise wait for the next one. Each service is drained until its outbox is
 * empty or the deadline passes; what is left (a deadline passed, the bus failed, the container
 * died after the commit) stays in the outbox, committed, for the next invocation's drain or the
 * scheduled one (`scheduled-handler.ts`). Failures are logged, never thrown: the invocation's own
 * work is committed whether or not its events are out yet.
 */
export async function drainOutboxes(host: Host, deadline: number): Promise<void> {
  await Promise.all(host.services.map((service) => drainOutbox(service, host, deadline)));
}

async function drainOutbox(service: RunningService, host: Host, deadline: number): Promise<void> {
  let relay = relays.get(service);
  if (!relay) {
    relay = new OutboxRelay({
      database: service.context.database,
      transport: host.transport,
      logger: service.logger,
      batchSize,
    });
    relays.set(service, relay);
  }
  try {
    while (Date.now() < deadline) {
      if ((await service.outboxBacklog()) === 0) return;
      const published = await relay.relayBatch();
      // A batch short of full took every row committed before it began, this invocation's included.
      if (published > 0 && published < batchSize) return;
      // Nothing taken while rows wait: another invocation's relay holds the outbox for a moment.
      if (published === 0) await new Promise((resolve) => setTimeout(resolve, heldRetryMs));
    }
    service.logger.warn(
      { backlog: await service.outboxBacklog() },
      "outbox not drained before the invocation's deadline; the next invocation or the scheduled drain publishes the rest",
    );
  } catch (error) {
    service.logger.error(
      { err: error },
      "outbox drain failed; the events stay in the outbox for the next drain",
    );
  }
}
